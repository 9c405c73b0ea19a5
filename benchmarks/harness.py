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


def compare(
    name: str,
    action: Callable[[], object],
    baseline_name: str,
    baseline: Callable[[], object],
    *,
    seconds: float = 2.0,
    warmup: int = 20,
    rounds: int = 3,
) -> Figure:
    """`action` against `baseline`, timed in alternating rounds, the best round of each.

    Alternating matters on a shared machine: its speed drifts by up to half over tens of
    seconds (`/healthz` answered 1,650 and 3,080 requests a second in two runs an hour
    apart), and a baseline timed once at the start of a run would carry that drift into
    every ratio after it.
    """
    for _ in range(warmup):
        baseline()
        action()
    best_action = best_baseline = 0.0
    for _ in range(rounds):
        best_baseline = max(best_baseline, _round(baseline, seconds / rounds))
        best_action = max(best_action, _round(action, seconds / rounds))
    return Figure(name, best_action, baseline_name, best_baseline)


def _round(action: Callable[[], object], seconds: float) -> float:
    calls, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        action()
        calls += 1
    return calls / elapsed


def settle() -> None:
    """After bulk setup, bring the database to the state a running one is in: statistics
    for the planner, and on PostgreSQL a visibility map (autovacuum's work) so that covering
    indexes are read without the table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
