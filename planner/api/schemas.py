"""What the API reads and writes: pydantic models (ninja Schemas), mapped from the same
rows the pages show. Texts come in the request's language (Accept-Language)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, StringConstraints

from planner.playbook.schema import Questionnaire


def _printable(value: str) -> str:
    # PostgreSQL cannot store NUL; other control characters have no place in a note either.
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise ValueError("Remove control characters.")
    return value


def _sane_time(value: datetime) -> datetime:
    if not 2000 <= value.year <= 2200:
        raise ValueError("Enter a time between the years 2000 and 2200.")
    return value


PlainText = Annotated[str, AfterValidator(_printable)]
Moment = Annotated[AwareDatetime, AfterValidator(_sane_time)]


class Out(BaseModel):
    """What the API answers: plain pydantic models, built once per object by `mapping`
    (django-ninja's Schema would read each again through its ORM-aware getter)."""


# ----- teams, plans -------------------------------------------------------------------


class TeamOut(Out):
    slug: str
    name: str
    time_zone: str
    language: str
    role: Literal["lead", "engineer"]  # the caller's role (a token: its lead's)
    url: str


class PhaseOut(Out):
    number: int
    first_day: int
    last_day: int
    starts_on: date | None
    ends_on: date | None


class MaturityOut(Out):
    area: str
    current: int
    target: int
    applicable: bool


class PlanOut(Out):
    id: int
    team: str
    status: Literal["draft", "active", "paused", "finished", "archived"]
    length: int
    start_date: date | None
    created_at: datetime
    started_at: datetime | None
    playbook_version: str
    phases: list[PhaseOut]
    maturity: list[MaturityOut]
    url: str


# ----- tasks ---------------------------------------------------------------------------


class PersonOut(Out):
    name: str
    email: str


class TaskOut(Out):
    id: int
    plan: int
    catalogue_id: str  # empty for a task the lead added
    area: str
    phase: int
    title: str
    first_day: int
    due_day: int
    due_on: date | None
    part: int
    parts: int
    effort_hours: float
    assignee: PersonOut | None
    status: Literal["open", "done", "skipped"]
    closed_at: datetime | None
    closed_by: PersonOut | None
    skip_reason: str
    note: str
    evidence_url: str
    notes_revision: int
    url: str


class TaskFilter(Schema):
    phase: int | None = Field(default=None, ge=1, le=4)
    status: Literal["open", "done", "skipped"] | None = None
    assignee: str | None = Field(
        default=None,
        max_length=254,
        description="An email address, `me` (the caller; a token: its lead) or `none`.",
    )
    catalogue_id: str | None = Field(default=None, max_length=60)


class TaskStatusIn(Schema):
    status: Literal["open", "done", "skipped"]
    reason: PlainText = Field(
        default="", max_length=500, description="Why it is skipped; required for `skipped`."
    )


class TaskNoteIn(Schema):
    note: PlainText = Field(default="", max_length=2000)
    evidence_url: PlainText = Field(default="", max_length=500)
    revision: int = Field(
        ge=0,
        le=2_147_483_647,
        description="The task's `notes_revision` you read; a save based on an older one is "
        "refused with 409, so nobody's note is overwritten unseen.",
    )


# ----- KPIs ----------------------------------------------------------------------------


class KpiOut(Out):
    kpi: str
    title: str
    area: str
    unit: str
    direction: Literal["lower", "higher", "band"]
    baseline: float
    target: float
    band_low: float | None
    band_high: float | None
    latest: float | None
    latest_at: datetime | None
    reached: bool
    why: str


class MeasurementOut(Out):
    id: int
    kpi: str
    value: float
    measured_at: datetime
    note: str
    client_key: str
    recorded_by: PersonOut | None
    recorded_at: datetime


class MeasurementIn(Schema):
    value: float = Field(allow_inf_nan=False)
    measured_at: Moment | None = Field(
        default=None, description="When it was measured (ISO 8601 with a zone); default: now."
    )
    note: PlainText = Field(default="", max_length=500)
    client_key: Annotated[
        str, StringConstraints(max_length=100, pattern=r"^[A-Za-z0-9._:\-]*$")
    ] = Field(
        default="",
        description="Your idempotency key: a value sent again with the same key is stored "
        "once (letters, digits and . _ : -).",
    )


class BatchItemIn(MeasurementIn):
    kpi: str = Field(max_length=60, description="The KPI's id, e.g. `p95_latency_ms`.")


class BatchIn(Schema):
    measurements: list[BatchItemIn] = Field(min_length=1, max_length=500)


class RecordedOut(Out):
    created: bool
    measurement: MeasurementOut


class BatchOut(Out):
    created: int
    replayed: int
    results: list[RecordedOut]


# ----- progress ------------------------------------------------------------------------


class PhaseProgressOut(Out):
    number: int
    first_day: int
    last_day: int
    state: Literal["past", "current", "future"]
    tasks: int
    done: int
    skipped: int
    percent: int


class MemberProgressOut(Out):
    person: PersonOut | None  # None: the unassigned tasks
    open: int
    overdue: int
    done: int


class ProgressOut(Out):
    plan: int
    status: str
    today: date
    day: int
    phase: int | None
    schedule: Literal["not_started", "early", "ahead", "on_track", "behind", "finished"]
    percent_done: int
    effort_done: float
    effort_total: float
    overdue: int
    kpis_reached: int
    kpis: int
    phases: list[PhaseProgressOut]
    members: list[MemberProgressOut]


# ----- the questionnaire and a new plan ------------------------------------------------


class QuestionnaireOut(Out):
    """The playbook's questionnaire as its file states it (texts in English and German)."""

    version: str
    questionnaire: Questionnaire


class AssessmentIn(Schema):
    answers: dict[str, object] = Field(
        description="Question id -> answer, as `GET /questionnaire` describes each question."
    )
    not_applicable: list[Annotated[str, StringConstraints(max_length=60)]] = Field(
        default=[], max_length=20, description="Area ids that do not apply to the team."
    )
    targets: dict[str, Annotated[int, Field(ge=0, le=4)]] = Field(
        default={}, description="Area id -> the maturity level (0-4) the team aims for."
    )
    length: Literal[14, 30] = 30
