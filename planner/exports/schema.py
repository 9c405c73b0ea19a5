"""The JSON document of a team's export, as pydantic models: what `team_document` writes and
what an import accepts (anything else is refused with the field that is wrong).

References inside the document are the document's own: a task by its `ref` within its plan,
a KPI target by its `kpi_id`, people by email and name. Database ids never leave Planner.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    model_validator,
)

from planner.core.fields import is_one_line

FORMAT = "planner-team-export"
VERSION = 1

PlanStatusName = Literal["draft", "active", "paused", "finished", "archived"]
TaskStatusName = Literal["open", "done", "skipped"]
ActivityKindName = Literal[
    "done",
    "reopened",
    "skipped",
    "taken",
    "assigned",
    "moved",
    "renamed",
    "added",
    "noted",
    "measured",
    "started",
    "finished",
    "paused",
    "resumed",
    "rescheduled",
]
RUNNING = ("active", "paused")


def _one_line(value: str) -> str:
    if not is_one_line(value):
        raise ValueError("must be one line, without control characters")
    return value


OneLine = Annotated[str, StringConstraints(max_length=300), AfterValidator(_one_line)]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]*$", max_length=60)]
Email = Annotated[
    str,
    StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$", to_lower=True),
]
# A stored text in both languages; either may be missing (a custom task's texts are the
# words its lead typed, the same in both).
LocalText = dict[Literal["en", "de"], Annotated[str, StringConstraints(max_length=5000)]]
Title = dict[Literal["en", "de"], OneLine]
Hours = Annotated[
    Decimal,
    Field(ge=0, le=999, max_digits=5, decimal_places=1),
    PlainSerializer(float, return_type=float),
]
Finite = Annotated[float, Field(allow_inf_nan=False)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(Strict):
    """Someone named in the document; matched by email to a member of the importing team."""

    email: Email
    name: Annotated[OneLine, StringConstraints(max_length=150)] = ""


class TeamInfo(Strict):
    """The exported team, for the reader; an import keeps the importing team's own."""

    name: OneLine
    slug: str
    time_zone: str
    language: str


class TaskContent(Strict):
    catalogue_id: Identifier = ""
    area: Identifier = ""
    phase: int = Field(ge=1, le=4)
    effort_hours: Hours
    title: Title
    description: LocalText = {}
    steps: list[LocalText] = []
    evidence: LocalText = {}
    why: LocalText = {}
    prerequisites: list[Identifier] = []

    @model_validator(mode="after")
    def _titled(self) -> TaskContent:
        if not (self.title.get("en") or self.title.get("de") or "").strip():
            raise ValueError("a task needs a title")
        return self


class Task(TaskContent):
    ref: int = Field(ge=1)
    start_day: int = Field(ge=1, le=30)
    day: int = Field(ge=1, le=30)
    part: int = Field(default=1, ge=1, le=12)
    parts: int = Field(default=1, ge=1, le=12)
    position: int = Field(default=0, ge=0, le=1_000_000)
    assignee: Person | None = None
    status: TaskStatusName = "open"
    closed_at: AwareDatetime | None = None
    closed_by: Person | None = None
    skip_reason: Annotated[str, StringConstraints(max_length=500)] = ""
    note: Annotated[str, StringConstraints(max_length=2000)] = ""
    evidence_url: Annotated[
        str, StringConstraints(max_length=500, pattern=r"^(|https?://[^\s]+)$")
    ] = ""

    @model_validator(mode="after")
    def _days(self) -> Task:
        if self.start_day > self.day:
            raise ValueError("start_day is after day")
        if self.part > self.parts:
            raise ValueError("part is greater than parts")
        return self


class BacklogEntry(TaskContent):
    position: int = Field(default=0, ge=0, le=1_000_000)
    reason: Literal["capacity", "prerequisite", "pushed_out"]
    waiting_for: Identifier = ""


class Measurement(Strict):
    value: Finite
    measured_at: AwareDatetime
    note: Annotated[str, StringConstraints(max_length=500)] = ""
    recorded_by: Person | None = None
    recorded_at: AwareDatetime


class KpiTarget(Strict):
    kpi_id: Identifier
    area: Identifier
    title: Title
    unit: Literal["ms", "mb", "percent", "per_month", "hours", "count", "cost_per_1k"]
    direction: Literal["lower", "higher", "band"]
    baseline: Finite
    target: Finite
    why: LocalText = {}
    source: Annotated[str, StringConstraints(max_length=5000)] = ""
    minimum: Finite | None = None
    maximum: Finite | None = None
    band_low: Finite | None = None
    band_high: Finite | None = None
    measurements: list[Measurement] = []


class Activity(Strict):
    kind: ActivityKindName
    at: AwareDatetime
    actor: Person | None = None
    task: int | None = None  # a task's `ref` in the same plan
    kpi: Identifier | None = None  # a KPI target's `kpi_id` in the same plan
    detail: dict[
        Annotated[str, StringConstraints(max_length=40)],
        Annotated[str, StringConstraints(max_length=2000)] | int | Finite | bool | None,
    ] = {}


class Maturity(Strict):
    area: Identifier
    title: LocalText
    current: int = Field(ge=0, le=4)
    target: int = Field(ge=0, le=4)
    applicable: bool = True


class Seat(Strict):
    member: Person | None = None  # None: someone the team counts who is not in Planner
    weekly_hours: float = Field(ge=0, le=80)


class Plan(Strict):
    status: PlanStatusName
    length: Literal[14, 30]
    phases: list[tuple[int, int]] = Field(min_length=4, max_length=4)
    maturity: list[Maturity] = []
    playbook_version: Annotated[str, StringConstraints(max_length=20)]
    start_date: date | None = None
    created_at: AwareDatetime
    started_at: AwareDatetime | None = None
    created_by: Person | None = None
    seats: list[Seat] = []
    tasks: list[Task] = Field(default=[], max_length=2000)
    backlog: list[BacklogEntry] = Field(default=[], max_length=2000)
    kpi_targets: list[KpiTarget] = Field(default=[], max_length=100)
    activity: list[Activity] = []  # oldest first

    @model_validator(mode="after")
    def _consistent(self) -> Plan:
        previous = 0
        for first, last in self.phases:
            if first != previous + 1 or last < first:
                raise ValueError("phases must follow each other from day 1")
            previous = last
        if previous != self.length:
            raise ValueError("the last phase must end on the plan's last day")
        if self.status in RUNNING and self.start_date is None:
            raise ValueError("a running plan needs its start_date")
        refs = [task.ref for task in self.tasks]
        if len(set(refs)) != len(refs):
            raise ValueError("two tasks have the same ref")
        if any(task.day > self.length for task in self.tasks):
            raise ValueError("a task's day is after the plan's last day")
        kpis = [target.kpi_id for target in self.kpi_targets]
        if len(set(kpis)) != len(kpis):
            raise ValueError("two KPI targets have the same kpi_id")
        known_refs, known_kpis = set(refs), set(kpis)
        for entry in self.activity:
            if entry.task is not None and entry.task not in known_refs:
                raise ValueError(f"an activity names task {entry.task}, which is not in the plan")
            if entry.kpi is not None and entry.kpi not in known_kpis:
                raise ValueError(f"an activity names KPI {entry.kpi}, which is not in the plan")
        return self


class TeamExport(Strict):
    """Version 1 of the team export."""

    format: Literal["planner-team-export"]
    version: Literal[1]
    exported_at: AwareDatetime
    team: TeamInfo
    plans: list[Plan] = Field(max_length=200)

    @model_validator(mode="after")
    def _one_running(self) -> TeamExport:
        if sum(1 for plan in self.plans if plan.status in RUNNING) > 1:
            raise ValueError("a team runs at most one plan at a time")
        return self
