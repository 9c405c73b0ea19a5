"""The generator's input and output, as pydantic models (what the review page edits)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from planner.playbook.schema import Text, Unit


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Member(Frozen):
    id: int
    name: str
    weekly_hours: float = Field(gt=0, le=80)


class GeneratorOptions(Frozen):
    start: date
    length: Literal[14, 30] = 30
    targets: dict[str, int] = {}
    not_applicable: frozenset[str] = frozenset()
    # The people in Planner who work on the plan, and the weekly hours of each person the
    # team counts who is not in Planner yet (their tasks are drafted unassigned).
    members: tuple[Member, ...] = ()
    open_seats: tuple[float, ...] = ()


class AreaMaturity(Frozen):
    area: str
    title: Text
    current: int
    target: int
    applicable: bool


class DraftTaskContent(Frozen):
    task_id: str
    area: str
    phase: int
    effort_hours: float
    title: Text
    description: Text
    steps: tuple[Text, ...]
    evidence: Text
    why: Text
    prerequisites: tuple[str, ...]
    answers: tuple[str, ...]  # the question ids that selected it


class DraftTask(DraftTaskContent):
    start_day: int
    day: int  # the day it is due
    assignee: int | None
    # A task several people do side by side is drafted once per person, each with their
    # share of the hours: part 1 of 2, ...
    part: int = 1
    parts: int = 1


class DraftBacklogTask(DraftTaskContent):
    """A selected task the team's capacity does not hold, or whose prerequisite it does
    not: kept with the plan, for the lead to pull in."""

    reason: Literal["capacity", "prerequisite"]
    waiting_for: str | None = None


class Seat(Frozen):
    member: int | None
    weekly_hours: float


class DraftKpiTarget(Frozen):
    kpi_id: str
    area: str
    title: Text
    unit: Unit
    direction: Literal["lower", "higher", "band"]
    baseline: float
    target: float
    why: Text
    source: str
    # The range a measurement may take, and a band KPI's healthy band.
    minimum: float | None = None
    maximum: float | None = None
    band_low: float | None = None
    band_high: float | None = None


class PlanDraft(Frozen):
    playbook_version: str
    start: date
    length: Literal[14, 30]
    phases: tuple[tuple[int, int], ...]
    maturity: tuple[AreaMaturity, ...]
    tasks: tuple[DraftTask, ...]
    backlog: tuple[DraftBacklogTask, ...] = ()
    seats: tuple[Seat, ...] = ()  # the capacity the plan was made for
    kpi_targets: tuple[DraftKpiTarget, ...]
