"""Latency summaries: the percentiles and rates the issue asks for, per request type."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile: the smallest value with at least `q` percent of the
    values at or below it. A time that was measured, never one interpolated between two,
    so that a p99 of few samples is a real request's time. NaN for no values."""
    if not 0 < q <= 100:
        raise ValueError(f"percentile must be in (0, 100], not {q}")
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = math.ceil(q / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


@dataclass(frozen=True)
class Summary:
    """One request type in one phase: how many, how fast, how many failed. Latencies are
    of the requests that succeeded (a fast error page would flatter them); seconds."""

    name: str
    count: int
    errors: int
    rate: float
    p50: float
    p95: float
    p99: float


def summarize(name: str, latencies: Sequence[float], errors: int, seconds: float) -> Summary:
    """`latencies` of the successful requests of a phase that lasted `seconds`; the rate
    counts failed requests too, since the server answered them."""
    count = len(latencies) + errors
    return Summary(
        name=name,
        count=count,
        errors=errors,
        rate=count / seconds if seconds > 0 else 0.0,
        p50=percentile(latencies, 50),
        p95=percentile(latencies, 95),
        p99=percentile(latencies, 99),
    )
