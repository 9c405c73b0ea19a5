"""Counting a plan's days: pure."""

from __future__ import annotations

from datetime import date


def plan_day(start: date, today: date) -> int:
    """Day 1 is the start date; 0 or less before it, past the length after the end."""
    return (today - start).days + 1
