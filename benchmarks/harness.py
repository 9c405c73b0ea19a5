"""Timing helpers and the figure every benchmark reports."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """A measured rate next to the baseline rate measured in the same run."""

    name: str
    rate: float
    baseline_name: str
    baseline_rate: float
    unit: str = "req/s"

    @property
    def ratio(self) -> float:
        return self.rate / self.baseline_rate

    def line(self) -> str:
        return (
            f"{self.name}: {self.rate:,.0f} {self.unit}; {self.baseline_name}: "
            f"{self.baseline_rate:,.0f} {self.unit}; ratio {self.ratio:.2f}"
        )


def rate(action: Callable[[], object], *, seconds: float = 2.0, warmup: int = 20) -> float:
    """Calls per second of `action`, the best of three timed rounds after a warm-up."""
    for _ in range(warmup):
        action()
    best = 0.0
    for _ in range(3):
        calls, started = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds / 3:
            action()
            calls += 1
        best = max(best, calls / elapsed)
    return best


def settle() -> None:
    """After bulk setup, bring the database to the state a running one is in: statistics
    for the planner, and on PostgreSQL a visibility map (autovacuum's work) so that covering
    indexes are read without the table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
