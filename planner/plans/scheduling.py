"""Placing a plan's tasks on days and people within the team's capacity: pure functions.

Each person gives the plan their weekly hours. A task is done by one person over one or
more days, its effort spread evenly over them; no week of a person holds more than their
weekly hours (a short last week its share), a phase that covers part of a week no more
than half of them or its share of the days if larger (in a 14-day plan), and no day more
than `day_limit` (focused hours in a day). A task stays in its phase's days and starts the
day after its last prerequisite ends; a task that reviews its phase (`anchored`) ends on
the phase's last day and reviews what of the phase's work got done, so it does not wait
for what did not.

Tasks are placed best first, each as early and on as few days as it fits. A task
nobody's week holds is shared, if it can be (`max_parts`), in parts as equal as whole
half hours allow, by as few people as hold them, side by side; where those do not fit,
in the parts the people's hours left hold (the most from whoever has the most), none
under `MIN_PART`. A task that
later work needs but its phase cannot hold is carried into the next phase that can,
before that work; one that does not fit, or whose prerequisite did not, goes to the
backlog with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

EPSILON = 1e-9
WEEK = 7
FOCUSED_DAY = 6.0
# The part of a week's hours a phase that covers only some of its days may take: its
# share of the days, but at least half, so that a three-day phase holds real work.
PHASE_SHARE = 0.5
MIN_HOURS = 0.1  # a week with less holds no task
MIN_PART = 2.0  # hours: a task is not shared into smaller pieces than this


@dataclass(frozen=True, slots=True)
class Job:
    """What the scheduler needs of a selected task."""

    id: str
    phase: int
    effort: float
    prerequisites: tuple[str, ...] = ()  # the selected ones only
    rank: tuple[float, ...] = ()  # lower is placed first
    anchored: bool = False
    max_parts: int = 1  # how many people may share it


@dataclass(frozen=True, slots=True)
class Seat:
    """A person's share of the plan: `member` is their user id, None for someone the
    team counts but who is not in Planner yet."""

    member: int | None
    weekly_hours: float

    @property
    def day_limit(self) -> float:
        """Hours of plan work in one day: six focused hours, more for someone who gives
        the plan most of their week, never more than the week holds."""
        return min(self.weekly_hours, max(FOCUSED_DAY, self.weekly_hours / 5))


def equal_shares(effort: float, parts: int) -> list[float]:
    """`effort` in `parts` shares as equal as whole half hours allow, the larger first
    (8 h in three: 3, 2.5 and 2.5); exactly equal where the effort is not in half hours."""
    halves = effort * 2
    if parts == 1 or abs(halves - round(halves)) > EPSILON:
        return [effort / parts] * parts
    base, extra = divmod(round(halves), parts)
    return [(base + (1 if part < extra else 0)) / 2 for part in range(parts)]


@dataclass(frozen=True, slots=True)
class Placement:
    id: str
    start: int
    end: int  # the day it is due
    seat: int  # index into the seats
    phase: int  # its own, or a later one it was carried into
    part: int = 1  # which of `parts` shares of the task this is
    parts: int = 1
    effort: float = 0.0  # the hours of this share


@dataclass(frozen=True, slots=True)
class Deferred:
    id: str
    reason: Literal["capacity", "prerequisite"]
    waiting_for: str | None = None  # the prerequisite in the backlog


@dataclass
class Schedule:
    placed: list[Placement] = field(default_factory=list)
    backlog: list[Deferred] = field(default_factory=list)


def weeks(length: int) -> list[tuple[int, int]]:
    """The plan's weeks as (first day, last day); the last may be shorter."""
    return [(first, min(first + WEEK - 1, length)) for first in range(1, length + 1, WEEK)]


def placing_order(jobs: Sequence[Job]) -> list[Job]:
    """Best rank first, each job's prerequisites before it (they take its rank)."""
    by_id = {job.id: job for job in jobs}
    order: list[Job] = []
    seen: set[str] = set()

    def visit(job: Job) -> None:
        if job.id in seen:
            return
        seen.add(job.id)
        for prerequisite in sorted(
            (by_id[p] for p in job.prerequisites if p in by_id), key=lambda j: j.rank
        ):
            visit(prerequisite)
        order.append(job)

    for job in sorted(jobs, key=lambda j: j.rank):
        visit(job)
    return order


def segments(phases: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The days where a phase and a week meet: each holds its share of a week's hours."""
    length = phases[-1][1]
    return [
        (max(first, week_first), min(last, week_last))
        for first, last in phases
        for week_first, week_last in weeks(length)
        if max(first, week_first) <= min(last, week_last)
    ]


class _Load:
    """What one seat has taken so far: by day, by week, and by part of a week in one phase."""

    def __init__(self, seat: Seat, parts: Sequence[tuple[int, int]]) -> None:
        self.day_limit = seat.day_limit
        length = parts[-1][1]
        self.parts = list(parts)
        self.limits = [
            seat.weekly_hours * max((last - first + 1) / WEEK, PHASE_SHARE) for first, last in parts
        ]
        self.part_of = {
            d: i for i, (first, last) in enumerate(parts) for d in range(first, last + 1)
        }
        self.week_limits = week_capacity(seat.weekly_hours, length)
        self.days = [0.0] * (length + 2)
        self.taken = [0.0] * len(parts)
        self.week_taken = [0.0] * len(self.week_limits)
        self.hours = 0.0
        # A span that did not fit stays unfit until hours are given back.
        self.given_back = 0
        self.unfit: dict[tuple[float, int, int, bool], int] = {}

    def fits(self, start: int, end: int, effort: float) -> bool:
        rate = effort / (end - start + 1)
        # The week and the phase's part of it first: most misfits end there, in a step or two.
        taken, limits, parts = self.taken, self.limits, self.parts
        for index in range(self.part_of[start], self.part_of[end] + 1):
            first, last = parts[index]
            overlap = (last if last < end else end) - (first if first > start else start) + 1
            if taken[index] + rate * overlap > limits[index] + EPSILON:
                return False
        week_taken, week_limits = self.week_taken, self.week_limits
        for week in range((start - 1) // WEEK, (end - 1) // WEEK + 1):
            first, last = week * WEEK + 1, week * WEEK + WEEK
            overlap = (last if last < end else end) - (first if first > start else start) + 1
            if week_taken[week] + rate * overlap > week_limits[week] + EPSILON:
                return False
        days, limit = self.days, self.day_limit + EPSILON - rate
        return all(days[day] <= limit for day in range(start, end + 1))

    def take(self, start: int, end: int, effort: float, sign: float = 1.0) -> None:
        rate = sign * effort / (end - start + 1)
        for day in range(start, end + 1):
            self.days[day] += rate
            self.taken[self.part_of[day]] += rate
            self.week_taken[(day - 1) // WEEK] += rate
        self.hours += sign * effort

    def give_back(self, start: int, end: int, effort: float) -> None:
        self.take(start, end, effort, sign=-1.0)
        self.given_back += 1

    def room(self, lo: int, hi: int) -> float:
        """At most how many hours days lo..hi have left (a bound: cheap, not exact)."""
        limits, taken = self.limits, self.taken
        room = 0.0
        for index in range(self.part_of[lo], self.part_of[hi] + 1):
            room += limits[index] - taken[index]
        week_limits, week_taken = self.week_limits, self.week_taken
        week_room = 0.0
        for week in range((lo - 1) // WEEK, (hi - 1) // WEEK + 1):
            week_room += week_limits[week] - week_taken[week]
        return room if room < week_room else week_room

    def span(self, effort: float, lo: int, hi: int, anchored: bool) -> tuple[int, int] | None:
        """Where within days lo..hi the effort fits: the earliest end, and for it the
        fewest days; ending on `hi` if anchored."""
        if effort / self.day_limit > hi - lo + 1:
            return None
        # What the parts of weeks within lo..hi have left: most failures end here, cheaply.
        if effort > self.room(lo, hi) + EPSILON:
            return None
        key = (effort, lo, hi, anchored)
        if self.unfit.get(key) == self.given_back:
            return None
        shortest = max(1, math.ceil(effort / self.day_limit - EPSILON))
        ends = [hi] if anchored else range(lo + shortest - 1, hi + 1)
        for end in ends:
            for start in range(end - shortest + 1, lo - 1, -1):
                if self.fits(start, end, effort):
                    return start, end
        self.unfit[key] = self.given_back
        return None


def schedule(
    jobs: Sequence[Job], phases: Sequence[tuple[int, int]], seats: Sequence[Seat]
) -> Schedule:
    """Place the jobs best first, each with what it needs and the plan does not hold yet:
    all of them, or none (a chain that cannot be completed leaves its hours to others).
    A review whose work all stayed out, or a task carried forward for work that then did
    not fit, is taken out again, and its hours offered to the rest once more."""
    planner = _Planner(jobs, phases, seats)
    targets = sorted(jobs, key=lambda j: j.rank)
    dropped: set[str] = set()
    for _round in range(4):  # rarely more than two: each round drops what the last wasted
        for target in targets:
            if target.id in planner.placed:
                continue
            # What a round dropped stays out, but a review whose work is planned by now.
            if target.id not in dropped or (target.anchored and planner.reviews_something(target)):
                planner.place(target)
        idle = [job for job in jobs if job.id in planner.placed and planner.idle(job)]
        if not idle:
            break
        for job in idle:
            dropped.add(job.id)
            planner.take_out(job)  # with what needs it: it cannot start without
    result = Schedule()
    for job in placing_order(jobs):
        if job.id in planner.placed:
            result.placed.extend(planner.placed[job.id])
            continue
        waiting = next((p for p in job.prerequisites if p not in planner.placed), None)
        if waiting is not None and (not job.anchored or not planner.reviews_something(job)):
            result.backlog.append(Deferred(job.id, "prerequisite", waiting))
        else:
            result.backlog.append(Deferred(job.id, "capacity"))
    return result


class _Planner:
    """The state of one scheduling run: each seat's load and what is placed where."""

    def __init__(
        self, jobs: Sequence[Job], phases: Sequence[tuple[int, int]], seats: Sequence[Seat]
    ) -> None:
        self.phases, self.seats = phases, seats
        self.by_id = {job.id: job for job in jobs}
        self.loads = [_Load(seat, segments(phases)) for seat in seats]
        self.needed_until: dict[str, int] = {}  # the latest phase of the work that needs it
        self.dependants: dict[str, list[str]] = {}
        for job in jobs:
            for prerequisite in job.prerequisites:
                self.needed_until[prerequisite] = max(
                    self.needed_until.get(prerequisite, 0), job.phase
                )
                self.dependants.setdefault(prerequisite, []).append(job.id)
        self.needs = {
            job.id: sorted(
                (self.by_id[p] for p in job.prerequisites if p in self.by_id), key=lambda j: j.rank
            )
            for job in jobs
        }
        # Everyone's hours together: a cheap bound on what any seat can still take.
        working = sum(s.weekly_hours for s in seats if s.weekly_hours >= MIN_HOURS)
        self.total = _Load(Seat(None, working), segments(phases))
        self.placed: dict[str, list[Placement]] = {}
        self.ends: dict[str, int] = {}  # of what is placed, and of a chain being tried
        # Hours only grow between give-backs, so a fit that failed fails again until one:
        # (job, phase, first day) -> the give-back count it failed at.
        self.given_back = 0
        self.failed: dict[tuple[str, int, int], int] = {}

    def _take(self, seat: int, start: int, end: int, effort: float) -> None:
        self.loads[seat].take(start, end, effort)
        self.total.take(start, end, effort)

    def _give_back(self, seat: int, start: int, end: int, effort: float) -> None:
        self.loads[seat].give_back(start, end, effort)
        self.total.give_back(start, end, effort)
        self.given_back += 1

    def reviews_something(self, job: Job) -> bool:
        """A task that is no review, or a review of a phase with work planned in it: worth
        its hours."""
        return not job.anchored or any(
            shares[0].phase == job.phase and not self.by_id[job_id].anchored
            for job_id, shares in self.placed.items()
        )

    def idle(self, job: Job) -> bool:
        """A placed review with nothing to review, or a task carried forward for work that
        did not fit after all."""
        carried = self.placed[job.id][0].phase != job.phase
        return not self.reviews_something(job) or (
            carried and not any(d in self.placed for d in self.dependants.get(job.id, ()))
        )

    def take_out(self, job: Job) -> None:
        """Take a placed job out, and the placed work that needs it (a review of it stays)."""
        if job.id not in self.placed:
            return
        for share in self.placed.pop(job.id):
            self._give_back(share.seat, share.start, share.end, share.effort)
        del self.ends[job.id]
        for dependant in self.dependants.get(job.id, ()):
            if not self.by_id[dependant].anchored:
                self.take_out(self.by_id[dependant])

    def place(self, target: Job) -> None:
        """Place the target with the chain of what it needs, all or nothing."""
        chain = self._chain(target)
        trial: dict[str, list[Placement]] = {}
        # Hopeless chains end at once: a job more than everyone's days can still hold.
        for job in chain:
            latest = job.phase if job.anchored else max(job.phase, self.needed_until.get(job.id, 0))
            lo, hi = self.phases[job.phase - 1][0], self.phases[latest - 1][1]
            if self.total.room(lo, hi) < job.effort - EPSILON:
                return
        for job in chain:
            # A job its phase cannot hold may move on, up to the phase of the work needing it.
            latest = job.phase if job.anchored else max(job.phase, self.needed_until.get(job.id, 0))
            shares = next(
                (
                    shares
                    for phase in range(job.phase, latest + 1)
                    if (shares := self._fit(job, phase))
                ),
                None,
            )
            if not shares:
                for done, taken in trial.items():  # give back what the chain took so far
                    for share in taken:
                        self._give_back(share.seat, share.start, share.end, share.effort)
                    del self.ends[done]
                return
            trial[job.id] = shares
            self.ends[job.id] = max(share.end for share in shares)
        self.placed.update(trial)

    def _chain(self, target: Job) -> list[Job]:
        """The target after what it needs that is not placed yet, each after its own
        needs. A review needs nothing: it reviews what got done."""
        chain: list[Job] = []
        seen: set[str] = set()

        def visit(job: Job) -> None:
            if job.id in self.placed or job.id in seen:
                return
            seen.add(job.id)
            if not job.anchored:
                for prerequisite in self.needs[job.id]:
                    visit(prerequisite)
            chain.append(job)

        visit(target)
        return chain

    def _fit(self, job: Job, phase: int) -> list[Placement]:
        """The job within `phase` after its prerequisites end: whole on one person, else in
        as few equal shares as fit; taken from the loads, or nothing (an empty list). A
        review reviews what ended by its phase's end, whatever did not."""
        first, last = self.phases[phase - 1]
        after = first
        for prerequisite in job.prerequisites:
            end = self.ends.get(prerequisite)
            if end is not None and (not job.anchored or end < last):
                after = max(after, end + 1)
        if after > last:
            return []
        key = (job.id, phase, after)
        if self.failed.get(key) == self.given_back:
            return []
        shares = self._fit_from(job, phase, after, last)
        if not shares:
            self.failed[key] = self.given_back
        return shares

    def _fit_from(self, job: Job, phase: int, after: int, last: int) -> list[Placement]:
        """The job within days after..last of `phase`: whole, in equal shares, or filled."""
        rooms = [
            (self.loads[i].room(after, last), i)
            for i, seat in enumerate(self.seats)
            if seat.weekly_hours >= MIN_HOURS
        ]
        for parts in range(1, max(job.max_parts, 1) + 1):
            if parts > 1 and job.effort / parts < MIN_PART:
                break
            # Only those with the hours left in these days can take a part: often nobody.
            largest = equal_shares(job.effort, parts)[0]
            able = [i for room, i in rooms if room >= largest - EPSILON]
            if len(able) >= parts and (shares := self._share(job, parts, phase, after, able)):
                return shares
        if job.max_parts > 1 and not job.anchored:
            return self._fill(job, phase, after, rooms)
        return []

    def _fill(
        self, job: Job, phase: int, after: int, rooms: list[tuple[float, int]]
    ) -> list[Placement]:
        """The job in unequal shares: whoever has the most hours left in these days takes
        as much as fits them, the next the rest, up to `max_parts` people and none less
        than `MIN_PART`; nothing taken (an empty list) if the hours do not hold it."""
        last = self.phases[phase - 1][1]
        usable = sorted((r for r in rooms if r[0] >= MIN_PART - EPSILON), reverse=True)
        if sum(room for room, _ in usable[: job.max_parts]) < job.effort - EPSILON:
            return []
        remaining = job.effort
        taken: list[tuple[int, int, int, float]] = []  # seat, start, end, hours
        for room, index in usable:
            if len(taken) == job.max_parts or remaining <= EPSILON:
                break
            most = min(room, remaining)
            if most < remaining - EPSILON:  # whole half hours, so that shares add up exactly
                most = math.floor(most * 2 + EPSILON) / 2
            if remaining - most < MIN_PART - EPSILON and remaining - most > EPSILON:
                most = remaining - MIN_PART  # leave the next person a real part
            found = self._most(index, most, after, last)
            if found is None:
                continue
            hours, (start, end) = found
            if remaining - hours < MIN_PART - EPSILON and remaining - hours > EPSILON:
                continue
            self._take(index, start, end, hours)
            taken.append((index, start, end, hours))
            remaining -= hours
        if remaining > EPSILON or len(taken) < 2:
            for index, start, end, hours in taken:
                self._give_back(index, start, end, hours)
            return []
        parts = len(taken)
        return [
            Placement(job.id, start, end, index, phase, part, parts, hours)
            for part, (index, start, end, hours) in enumerate(taken, 1)
        ]

    def _most(
        self, index: int, most: float, lo: int, hi: int
    ) -> tuple[float, tuple[int, int]] | None:
        """The most hours, in half hours from `MIN_PART` up to `most`, that seat `index`
        fits within days lo..hi, with the span they take."""
        load = self.loads[index]
        if most < MIN_PART - EPSILON:
            return None
        whole = load.span(most, lo, hi, False)
        if whole is not None:  # the usual case: all of it fits
            return most, whole
        smallest = load.span(MIN_PART, lo, hi, False)
        if smallest is None:
            return None
        best: tuple[float, tuple[int, int]] = (MIN_PART, smallest)
        low, high = 1, math.floor((most - MIN_PART) * 2 + EPSILON)
        if MIN_PART + high / 2 >= most - EPSILON:
            high -= 1  # `most` itself did not fit
        while low <= high:  # fitting shrinks as the hours grow: search the largest
            middle = (low + high) // 2
            hours = MIN_PART + middle / 2
            span = load.span(hours, lo, hi, False)
            if span is None:
                high = middle - 1
            else:
                best, low = (hours, span), middle + 1
        return best

    def _share(
        self, job: Job, parts: int, phase: int, after: int, able: list[int]
    ) -> list[Placement]:
        """The job in `parts` equal shares on as many of `able` within `phase`, from day
        `after`; nothing taken (an empty list) if they do not all fit."""
        last = self.phases[phase - 1][1]
        taken: list[Placement] = []
        for part, effort in enumerate(equal_shares(job.effort, parts), 1):
            found = self._best_seat(job, effort, after, last, able, {p.seat for p in taken})
            if found is None:
                for placement in taken:
                    self._give_back(
                        placement.seat, placement.start, placement.end, placement.effort
                    )
                return []
            index, (start, end) = found
            self._take(index, start, end, effort)
            taken.append(Placement(job.id, start, end, index, phase, part, parts, effort))
        return taken

    def _best_seat(
        self, job: Job, effort: float, lo: int, hi: int, able: list[int], busy: set[int]
    ) -> tuple[int, tuple[int, int]] | None:
        """The seat (of `able`, not of `busy`) that finishes `effort` of the job soonest
        within days lo..hi, the least loaded of those, and the span it takes there."""
        seats, loads = self.seats, self.loads
        working = [i for i in able if i not in busy]
        if not working or lo > hi:
            return None
        # Least loaded first: once a seat ends as early as anyone could, none after it wins.
        working.sort(key=lambda i: (loads[i].hours / seats[i].weekly_hours, i))
        fastest = max(loads[i].day_limit for i in working)
        soonest = hi if job.anchored else lo + max(1, math.ceil(effort / fastest - EPSILON)) - 1
        best: tuple[int, tuple[int, int]] | None = None
        tried: set[float] = set()
        for index in working:
            seat = seats[index]
            # Seats nobody holds yet are alike until one is used: try one of them.
            if seat.member is None and loads[index].hours == 0:
                if seat.weekly_hours in tried:
                    continue
                tried.add(seat.weekly_hours)
            span = loads[index].span(effort, lo, hi, job.anchored)
            if span is None:
                continue
            # The seats after this one are as loaded or more: only an earlier end beats it.
            best, hi = (index, span), span[1] - 1
            if span[1] <= soonest or hi < lo:
                break
        return best


def fit_one(
    effort: float,
    lo: int,
    hi: int,
    seats: Sequence[Seat],
    taken: Sequence[Iterable[Span]],
    phases: Sequence[tuple[int, int]],
) -> tuple[int, int, int] | None:
    """Where one more task fits, given the spans each seat has taken: (seat index, start,
    end), the earliest end first, then the least loaded seat; None if nowhere."""
    best: tuple[tuple[float, ...], tuple[int, int, int]] | None = None
    for index, (seat, spans) in enumerate(zip(seats, taken, strict=True)):
        if seat.weekly_hours < MIN_HOURS:
            continue
        load = _Load(seat, segments(phases))
        for span in spans:
            load.take(span.start, span.end, span.effort)
        found = load.span(effort, lo, hi, anchored=False)
        if found is not None:
            key = (found[1], load.hours / seat.weekly_hours, index)
            if best is None or key < best[0]:
                best = (key, (index, *found))
    return None if best is None else best[1]


@dataclass(frozen=True, slots=True)
class Span:
    """A placed task as the capacity check reads it."""

    member: int | None
    start: int
    end: int
    effort: float


def week_loads(spans: Iterable[Span], length: int) -> dict[int | None, list[float]]:
    """Hours per member (None: nobody yet) and week, each task spread evenly over its days."""
    periods = weeks(length)
    result: dict[int | None, list[float]] = {}
    for span in spans:
        row = result.setdefault(span.member, [0.0] * len(periods))
        rate = span.effort / (span.end - span.start + 1)
        for index, (first, last) in enumerate(periods):
            overlap = min(last, span.end) - max(first, span.start) + 1
            if overlap > 0:
                row[index] += rate * overlap
    return result


def week_capacity(weekly_hours: float, length: int) -> list[float]:
    """A person's hours in each week of the plan; a short last week holds its share."""
    return [weekly_hours * (last - first + 1) / WEEK for first, last in weeks(length)]
