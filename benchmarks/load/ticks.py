"""What each engineer's client knows of its ticks, and the comparison with the database
that finds ticks lost: acknowledged to the engineer but not kept.

Each engineer ticks one task of their own, alternately off and on again, so no two ticks
race and every acknowledged tick changes the task's state and writes one feed entry (in
the same transaction). A tick that failed may or may not have been applied; the next tick
repeats its action, which is then either the change or a no-op, so the count of
acknowledged ticks still equals the count of feed entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

State = Literal["open", "done"]
Action = Literal["done", "reopen"]

# The state each tick action leaves a task in (`TaskStatus` values).
RESULT: dict[Action, State] = {"done": "done", "reopen": "open"}


@dataclass
class TickLedger:
    """One engineer's task as their client saw it: the state the acknowledged ticks left,
    how many were acknowledged, and whether the last attempt failed (then the state in
    the database is unknown until the next tick)."""

    task_id: int
    state: State = "open"
    acknowledged: int = 0
    failed: int = 0
    uncertain: bool = False

    def next_action(self) -> Action:
        return "reopen" if self.state == "done" else "done"

    def record(self, action: Action, ok: bool) -> None:
        if ok:
            self.state = RESULT[action]
            self.acknowledged += 1
            self.uncertain = False
        else:
            self.failed += 1
            self.uncertain = True


@dataclass(frozen=True)
class Observed:
    """A task in the database after the run: its status, and the tick feed entries
    ("done", "reopened") written for it during the run."""

    status: str
    entries: int


@dataclass(frozen=True)
class LostTick:
    task_id: int
    lost: int
    why: str


def lost_ticks(ledgers: Iterable[TickLedger], observed: Mapping[int, Observed]) -> list[LostTick]:
    """The tasks whose acknowledged ticks the database does not show: fewer feed entries
    than acknowledged ticks (each one missing is a lost tick), or a final status other
    than the last acknowledged tick left (at least one lost). A task missing from the
    database lost all its ticks."""
    found = []
    for ledger in ledgers:
        seen = observed.get(ledger.task_id)
        if seen is None:
            if ledger.acknowledged:
                found.append(LostTick(ledger.task_id, ledger.acknowledged, "task not found"))
            continue
        missing = max(ledger.acknowledged - seen.entries, 0)
        wrong = not ledger.uncertain and seen.status != ledger.state
        if missing or wrong:
            why = []
            if missing:
                why.append(f"{ledger.acknowledged} ticks acknowledged, {seen.entries} recorded")
            if wrong:
                why.append(f"status {seen.status}, the last acknowledged tick left {ledger.state}")
            found.append(LostTick(ledger.task_id, max(missing, 1), "; ".join(why)))
    return found
