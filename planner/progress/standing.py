"""Where a running plan stands, as pure functions over plain facts.

No database and no request: the dashboard, the teams overview, the reminder emails and an
API compute the same figures from the same `TaskFact`s, and tests feed them directly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

# Behind when done effort is more than this share under the effort due before today;
# ahead when it is more than this share over the effort due by the end of today.
TOLERANCE = 0.15
# Neither ahead nor behind until at least this share of the plan's effort is due: one tick
# on day 1 says nothing about how a plan goes.
JUDGE_SHARE = 0.1

OPEN, DONE, SKIPPED = "open", "done", "skipped"


class Schedule(StrEnum):
    NOT_STARTED = "not_started"
    EARLY = "early"  # started, but too little is due to judge
    AHEAD = "ahead"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class TaskFact:
    phase: int
    day: int
    effort: float
    status: str
    # The plan day on which the task was ticked or skipped, in the team's time zone.
    closed_day: int | None = None
    assignee_id: int | None = None
    # How many tasks the fact stands for: a summary's facts are groups of tasks with the
    # same phase, day and status, `effort` their sum (see selectors.facts).
    count: int = 1


def current_phase(phases: Sequence[Sequence[int]], day: int) -> int | None:
    for number, (first, last) in enumerate(phases, 1):
        if first <= day <= last:
            return number
    return None


def due_effort(tasks: Iterable[TaskFact], through_day: int) -> float:
    """Effort of the tasks scheduled up to and including `through_day`, skipped ones aside."""
    return sum(t.effort for t in tasks if t.status != SKIPPED and t.day <= through_day)


def done_effort(tasks: Iterable[TaskFact]) -> float:
    return sum(t.effort for t in tasks if t.status == DONE)


def scope_effort(tasks: Iterable[TaskFact]) -> float:
    return sum(t.effort for t in tasks if t.status != SKIPPED)


@dataclass(frozen=True, slots=True)
class Standing:
    schedule: Schedule
    done: float
    due_before_today: float
    due_by_tonight: float
    scope: float

    @property
    def percent_done(self) -> int:
        return 0 if not self.scope else min(100, math.floor(100 * self.done / self.scope))


def standing(tasks: Sequence[TaskFact], day: int, length: int) -> Standing:
    """Ahead, on track or behind on `day` of a plan of `length` days (see TOLERANCE), once
    enough of its work is due to judge (see JUDGE_SHARE)."""
    done = done_effort(tasks)
    scope = scope_effort(tasks)
    clamped = min(day, length + 1)
    before = due_effort(tasks, clamped - 1)
    tonight = due_effort(tasks, clamped)
    if day < 1:
        schedule = Schedule.NOT_STARTED
    elif tonight < scope * JUDGE_SHARE - 1e-9:
        schedule = Schedule.EARLY
    elif done < before * (1 - TOLERANCE) - 1e-9:
        schedule = Schedule.BEHIND
    elif done > 0 and done > tonight * (1 + TOLERANCE) + 1e-9:
        schedule = Schedule.AHEAD
    else:
        schedule = Schedule.ON_TRACK
    return Standing(schedule, done, before, tonight, scope)


@dataclass(frozen=True, slots=True)
class PhaseProgress:
    number: int
    first: int
    last: int
    total: int
    done: int
    skipped: int
    effort: float
    effort_done: float
    state: str  # "past", "current" or "future"

    @property
    def percent(self) -> int:
        """Done effort against the phase's effort without skipped tasks."""
        return 0 if not self.effort else min(100, math.floor(100 * self.effort_done / self.effort))

    @property
    def open(self) -> int:
        return self.total - self.done - self.skipped


def phase_progress(
    tasks: Sequence[TaskFact], phases: Sequence[Sequence[int]], day: int
) -> list[PhaseProgress]:
    result = []
    for number, (first, last) in enumerate(phases, 1):
        mine = [t for t in tasks if t.phase == number]
        state = "past" if day > last else "current" if day >= first else "future"
        result.append(
            PhaseProgress(
                number=number,
                first=first,
                last=last,
                total=sum(t.count for t in mine),
                done=sum(t.count for t in mine if t.status == DONE),
                skipped=sum(t.count for t in mine if t.status == SKIPPED),
                effort=scope_effort(mine),
                effort_done=done_effort(mine),
                state=state,
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class BurnUp:
    """Cumulative effort per plan day: index 0 is the start, index d the end of day d."""

    length: int
    expected: list[float]
    done: list[float]  # up to today only
    scope: float


def burn_up(tasks: Sequence[TaskFact], length: int, day: int) -> BurnUp:
    due_on = [0.0] * (length + 1)
    done_on = [0.0] * (length + 1)
    for task in tasks:
        if task.status == SKIPPED:
            continue
        due_on[min(max(task.day, 1), length)] += task.effort
        if task.status == DONE:
            closed = task.closed_day if task.closed_day is not None else day
            done_on[min(max(closed, 1), length)] += task.effort
    expected, done = [], []
    total_due = total_done = 0.0
    for index in range(length + 1):
        total_due += due_on[index]
        total_done += done_on[index]
        expected.append(round(total_due, 1))
        done.append(round(total_done, 1))
    shown = min(max(day, 0), length)
    return BurnUp(length, expected, done[: shown + 1], round(scope_effort(tasks), 1))


@dataclass(slots=True)
class MemberLoad:
    member_id: int | None
    open: int = 0
    open_effort: float = 0.0
    overdue: int = 0
    done: int = 0
    done_effort: float = 0.0


def workload(tasks: Iterable[TaskFact], day: int) -> dict[int | None, MemberLoad]:
    """Per assignee (None: unassigned): open and overdue tasks, and what they finished."""
    loads: dict[int | None, MemberLoad] = {}
    for task in tasks:
        load = loads.get(task.assignee_id)
        if load is None:
            load = loads[task.assignee_id] = MemberLoad(task.assignee_id)
        if task.status == OPEN:
            load.open += 1
            load.open_effort += task.effort
            if task.day < day:
                load.overdue += 1
        elif task.status == DONE:
            load.done += 1
            load.done_effort += task.effort
    return loads


@dataclass(frozen=True, slots=True)
class KpiStanding:
    direction: str
    baseline: float
    target: float
    latest: float | None
    band: tuple[float, float] | None = None

    @property
    def reached(self) -> bool:
        if self.latest is None:
            return False
        if self.direction == "lower":
            return self.latest <= self.target
        if self.direction == "higher":
            return self.latest >= self.target
        low, high = self.band or (self.target, self.target)
        return low <= self.latest <= high

    @property
    def progress(self) -> float | None:
        """0 at the baseline, 1 at (or past) the target; None before a first measurement."""
        if self.latest is None:
            return None
        if self.reached:
            return 1.0
        if self.direction == "band":
            low, high = self.band or (self.target, self.target)
            start = _distance(self.baseline, low, high)
            now = _distance(self.latest, low, high)
            return 0.0 if not start else _clamp(1 - now / start)
        span = self.target - self.baseline
        return 0.0 if not span else _clamp((self.latest - self.baseline) / span)

    @property
    def percent(self) -> int | None:
        progress = self.progress
        return None if progress is None else math.floor(progress * 100)


def _distance(value: float, low: float, high: float) -> float:
    return low - value if value < low else value - high if value > high else 0.0


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))
