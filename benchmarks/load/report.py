"""The report `make load` prints: a table per phase, the goals met or not, and the exit
status (errors and lost ticks fail a run; a missed latency or rate goal does not, since
on a shared machine those are measurements, not verdicts)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmarks.load.stats import Summary
from benchmarks.load.ticks import LostTick

# Today's loop (issue 16): 84 loop requests a second against 1,800 for /healthz in the
# same run. Rates depend on the machine; their ratio is what carries from run to run.
REFERENCE_LOOP_RATE = 84.0
REFERENCE_HEALTHZ_RATE = 1800.0
RATE_GOAL_FACTOR = 2.0
RATIO_GOAL = RATE_GOAL_FACTOR * REFERENCE_LOOP_RATE / REFERENCE_HEALTHZ_RATE
PACED_P95_GOAL = 0.150  # seconds, over all request types at a person's pace


@dataclass(frozen=True)
class Phase:
    """One phase's figures: a summary per request type (in loop order) and over all, and
    the CPU the client process used, as a share of one core (near 1.0 the client, not
    the server, may be what limits the rate)."""

    title: str
    seconds: float
    types: Sequence[Summary]
    overall: Summary
    client_cpu: float


@dataclass(frozen=True)
class Outcome:
    """Everything a run measured, ready to print."""

    heading: Sequence[str]
    healthz: Phase
    saturation: Phase
    paced: Phase
    acknowledged_ticks: int
    lost: Sequence[LostTick]
    notes: Sequence[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        healthz = self.healthz.overall.rate
        return self.saturation.overall.rate / healthz if healthz else 0.0

    @property
    def errors(self) -> int:
        return sum(p.overall.errors for p in (self.healthz, self.saturation, self.paced))

    @property
    def lost_count(self) -> int:
        return sum(t.lost for t in self.lost)


def _ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def table(phase: Phase) -> list[str]:
    """The phase's rows: count, rate, p50/p95/p99 in milliseconds and errors per type."""
    lines = [
        f"  {'request':<12}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'errors':>8}"
    ]
    for row in [*phase.types, phase.overall]:
        lines.append(
            f"  {row.name:<12}{row.count:>8}{row.rate:>9.1f}{_ms(row.p50):>9}"
            f"{_ms(row.p95):>9}{_ms(row.p99):>9}{row.errors:>8}"
        )
    return lines


def goal_lines(ratio: float, paced_p95: float) -> list[str]:
    """The issue's two goals: the loop at twice today's rate (as a ratio to /healthz in
    the same run), and p95 under 150 ms at a person's pace."""
    rate_met = ratio >= RATIO_GOAL
    p95_met = not math.isnan(paced_p95) and paced_p95 < PACED_P95_GOAL
    return [
        f"{'goal met' if rate_met else 'goal not met'}: loop/healthz {ratio:.3f} "
        f"{'>=' if rate_met else '<'} {RATIO_GOAL:.3f} (2 x {REFERENCE_LOOP_RATE:.0f}/"
        f"{REFERENCE_HEALTHZ_RATE:,.0f}, today's loop)",
        f"{'goal met' if p95_met else 'goal not met'}: paced p95 {_ms(paced_p95)} ms "
        f"{'<' if p95_met else '>='} {PACED_P95_GOAL * 1000:.0f} ms",
    ]


def render(outcome: Outcome) -> str:
    healthz = outcome.healthz
    sat = outcome.saturation
    lines = [*outcome.heading, ""]
    lines.append(
        f"/healthz: {healthz.overall.rate:,.0f} req/s over {healthz.seconds:.1f} s "
        f"(p50 {_ms(healthz.overall.p50)} ms, errors {healthz.overall.errors}, "
        f"client CPU {healthz.client_cpu:.0%} of a core)"
    )
    lines += ["", f"{sat.title}: {sat.seconds:.1f} s, client CPU {sat.client_cpu:.0%} of a core"]
    lines += table(sat)
    lines.append(
        f"  loop {sat.overall.rate:.1f} req/s = {outcome.ratio:.3f} x /healthz "
        f"({outcome.ratio * REFERENCE_HEALTHZ_RATE:.0f} req/s at the reference's "
        f"{REFERENCE_HEALTHZ_RATE:,.0f} for /healthz; today {REFERENCE_LOOP_RATE:.0f})"
    )
    paced = outcome.paced
    lines += [
        "",
        f"{paced.title}: {paced.seconds:.1f} s, client CPU {paced.client_cpu:.0%} of a core",
    ]
    lines += table(paced)
    lines += [
        "",
        f"errors: {outcome.errors}",
        f"lost ticks: {outcome.lost_count} (of {outcome.acknowledged_ticks} acknowledged)",
    ]
    lines += [f"  task {t.task_id}: {t.why}" for t in outcome.lost]
    lines += goal_lines(outcome.ratio, paced.overall.p95)
    lines += outcome.notes
    return "\n".join(lines)


def exit_status(outcome: Outcome) -> int:
    """Non-zero only for what is wrong whatever the machine: errors and lost ticks."""
    return 1 if outcome.errors or outcome.lost_count else 0
