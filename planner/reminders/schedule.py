"""When a plan's reminders are due: pure functions, `now` always passed in.

The boundaries are the start of day 1 (kick-off), the first day of every later phase, and
the day after the last day (wrap-up: the end of the plan). Each is sent at a local hour in
the team's time zone, so it stays at 09:00 across daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

KICK_OFF = "kickoff"
WRAP_UP = "wrapup"


@dataclass(frozen=True, slots=True)
class Boundary:
    key: str  # unique within a plan: "kickoff", "phase-2", ..., "wrapup"
    day: int  # the plan day on whose morning it is sent; the wrap-up is `length + 1`
    ended_phase: int | None
    next_phase: int | None

    @property
    def is_kick_off(self) -> bool:
        return self.key == KICK_OFF

    @property
    def is_wrap_up(self) -> bool:
        return self.key == WRAP_UP


def boundaries(phases: Sequence[Sequence[int]], length: int) -> list[Boundary]:
    """The plan's boundaries in time order, from its phases ([[first, last], ...])."""
    result = [Boundary(KICK_OFF, int(phases[0][0]), None, 1)]
    for number, (first, _last) in enumerate(phases[1:], 2):
        result.append(Boundary(f"phase-{number}", int(first), number - 1, number))
    result.append(Boundary(WRAP_UP, length + 1, len(phases), None))
    return result


def local_moment(start: date, day: int, zone: ZoneInfo, hour: int) -> datetime:
    """`hour` o'clock on plan day `day` in `zone`, as an aware UTC datetime.

    A wall time that a clock change skips (02:30 on a spring-forward night) is read with
    the offset before the change, so it lands an hour later on the wall clock; a repeated
    one (autumn) is its first occurrence.
    """
    local = datetime.combine(start + timedelta(days=day - 1), time(hour), tzinfo=zone)
    return local.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Due:
    boundary: Boundary
    at: datetime


def plan_schedule(
    start: date, phases: Sequence[Sequence[int]], length: int, zone: ZoneInfo, hour: int
) -> list[Due]:
    return [Due(b, local_moment(start, b.day, zone, hour)) for b in boundaries(phases, length)]


@dataclass(frozen=True, slots=True)
class Decision:
    """What a dispatcher does for one plan at `now`."""

    send: Due | None  # the latest due boundary not yet in the ledger
    skip: list[Due]  # older due ones not in the ledger: recorded, not sent (no flood)
    next_at: datetime | None  # when the plan needs looking at again


def decide(
    schedule: Sequence[Due],
    done: set[str] | frozenset[str],
    now: datetime,
    reminders_from: datetime | None = None,
) -> Decision:
    """Given the boundaries already in the ledger (`done`), what is due at `now`.

    Only the latest due boundary is sent; older ones that were missed (the dispatcher did
    not run) are skipped, and so is a due boundary older than one already sent. So is one
    before `reminders_from`, the moment the plan's reminders count from (it was resumed or
    its day 1 moved after that boundary had passed): it is never sent late.
    """
    due = [d for d in schedule if d.at <= now]
    newest_done = max((d.at for d in schedule if d.boundary.key in done), default=None)
    fresh = [d for d in due if d.boundary.key not in done]
    counted = [d for d in fresh if reminders_from is None or d.at >= reminders_from]
    send = counted[-1] if counted else None
    if send is not None and newest_done is not None and send.at < newest_done:
        send = None
    skip = [d for d in fresh if d is not send]
    later = [d.at for d in schedule if d.at > now and d.boundary.key not in done]
    return Decision(send, skip, min(later, default=None))
