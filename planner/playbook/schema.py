"""The playbook's shape: pydantic models for the questionnaire, the task and KPI catalogues.

The data lives in YAML files beside this module (`data/`); `planner.playbook.loader` reads
and validates them once. Every visible text is a `Text` with English and German.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Unit = Literal["ms", "mb", "percent", "per_month", "hours", "count", "cost_per_1k"]
Language = Literal["en", "de"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A visible text in both languages the app speaks."""

    en: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    de: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

    def get(self, language: str) -> str:
        return self.de if language.startswith("de") else self.en


class Area(Strict):
    """A maturity area; sections, tasks and KPIs belong to one."""

    id: Identifier
    title: Text
    description: Text
    # An area that applies to every team (goals and KPIs) cannot be marked not applicable;
    # its checkpoint tasks keep every phase non-empty.
    always_applies: bool = False


class Choice(Strict):
    id: Identifier
    label: Text
    # Maturity 0 (nothing in place) to 4 (exemplary); None for choices that say nothing
    # about maturity (e.g. "other").
    score: int | None = Field(default=None, ge=0, le=4)


class QuestionBase(Strict):
    id: Identifier
    label: Text
    help: Text
    required: bool = True


class SingleChoiceQuestion(QuestionBase):
    type: Literal["single"]
    choices: list[Choice] = Field(min_length=2)


class MultipleChoiceQuestion(QuestionBase):
    """Maturity contribution: the sum of the selected choices' scores, at most 4."""

    type: Literal["multiple"]
    choices: list[Choice] = Field(min_length=2)


class NumberQuestion(QuestionBase):
    type: Literal["number"]
    unit: Unit
    minimum: float
    maximum: float
    integer: bool = False

    @model_validator(mode="after")
    def _range(self) -> NumberQuestion:
        if self.minimum >= self.maximum:
            raise ValueError("minimum must be below maximum")
        return self


class TextQuestion(QuestionBase):
    type: Literal["text"]
    max_length: int = Field(default=2000, ge=1, le=10000)


Question = Annotated[
    SingleChoiceQuestion | MultipleChoiceQuestion | NumberQuestion | TextQuestion,
    Field(discriminator="type"),
]


class Section(Strict):
    """One wizard step: the questions about one area (or none, e.g. team capacity)."""

    id: Identifier
    area: Identifier | None
    title: Text
    help: Text
    questions: list[Question] = Field(min_length=1)


class AtLeastConstraint(Strict):
    """`question` must be at least `other` (e.g. p95 latency not below the average)."""

    type: Literal["at_least"]
    question: Identifier
    other: Identifier
    message: Text


class Questionnaire(Strict):
    areas: list[Area] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)
    constraints: list[AtLeastConstraint] = []


# --- Conditions: a small rule language over answers, evaluated by planner.playbook.rules ---

CompareOp = Literal[
    "eq",
    "ne",
    "in",
    "not_in",
    "lt",
    "le",
    "gt",
    "ge",
    "includes",
    "excludes",
    "answered",
    "unanswered",
]


class Compare(Strict):
    """Compare one answer: `{question: iac_tool, op: in, value: [none, other]}`."""

    question: Identifier
    op: CompareOp
    value: str | float | list[str] | None = None


class AllOf(Strict):
    all: list[Rule] = Field(min_length=1)


class AnyOf(Strict):
    any: list[Rule] = Field(min_length=1)


class Not(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    not_: Rule = Field(alias="not")


Rule = Compare | AllOf | AnyOf | Not


# --- Tasks and KPIs ---


class Task(Strict):
    """A catalogue task. `kind` decides when the generator takes it:

    - core: whenever its area applies (e.g. the analysis of phase 1);
    - build: when the area's current maturity is below its target;
    - verify: when the area already meets its target (a short check instead of build work).
    `when`, if given, must also hold.

    `prerequisites` are the tasks that must finish before this one starts; only those a
    team's plan holds count, so alternatives (the Terraform and the CloudFormation
    foundation) may both be listed. A prerequisite may also name a capability that tasks
    `provides` (`iac_foundation`: whichever task lays the IaC foundation for the team's
    tool); the loader replaces it by every task that provides it. `priority` ranks the tasks
    when the team's capacity cannot hold them all: 1 for the article's core step of the
    phase, 2 for the usual build work, 3 for what can wait; the rest go to the plan's
    backlog. `anchor: phase_end` makes a task that reviews its phase (a checkpoint, the
    retrospective) finish in the phase's last days. `max_parts` says how many people can
    share the task side by side (an import split by resource group, say) when nobody's week
    holds it: two unless it says otherwise, one for work only one person can do (an
    experiment).
    """

    id: Identifier
    area: Identifier
    phase: int = Field(ge=1, le=4)
    kind: Literal["core", "build", "verify"]
    title: Text
    description: Text
    why: Text
    steps: list[Text] = Field(min_length=1)
    evidence: Text
    effort_hours: float = Field(gt=0, le=40)
    # The hours in the 14-day plan, where a step of the analysis or a review is done in a
    # shorter form (one session instead of two); the same as `effort_hours` if not given.
    short_effort_hours: float | None = Field(default=None, gt=0, le=40)
    # What the estimate assumes (one model service, a few dozen cloud resources, ...), so
    # that a team can scale it to its own situation.
    effort_basis: Text | None = None
    # Where a figure the texts quote comes from (a document's title and section).
    sources: list[str] = []
    prerequisites: list[Identifier] = []
    provides: list[Identifier] = []
    when: Rule | None = None
    priority: Literal[1, 2, 3] = 2
    anchor: Literal["phase_end"] | None = None
    max_parts: int = Field(default=2, ge=1, le=4)

    def effort_for(self, length: int) -> float:
        """The task's hours in a plan of `length` days."""
        if length < 30 and self.short_effort_hours is not None:
            return self.short_effort_hours
        return self.effort_hours


class Effect(Strict):
    """What one technique or practice does to a KPI when the plan adds it.

    `tasks` are the tasks (or capabilities) that bring it; the effect counts only when one
    of them is in the team's plan, not in its backlog and not already in place (a task for
    a technique the team uses is never selected). `published` says the published effect in
    words and `source` where it is published, or that it is Planner's own estimate.
    """

    tasks: list[Identifier] = Field(min_length=1)
    technique: Text
    published: Text
    source: str = Field(min_length=1)
    factor: float | None = Field(default=None, gt=0)  # relative targets: baseline x factor


class TargetBase(Strict):
    source: str = Field(min_length=1)  # where the rule as a whole comes from
    explanation: Text


class RelativeTarget(TargetBase):
    """target = baseline x the factors of the planned effects, never past `limit` (e.g. 0.4
    for at most 2.5x less latency, however many techniques the plan adds)."""

    kind: Literal["relative"]
    effects: list[Effect] = Field(min_length=1)
    limit: float = Field(gt=0)

    @model_validator(mode="after")
    def _factors(self) -> RelativeTarget:
        if any(effect.factor is None for effect in self.effects):
            raise ValueError("every effect of a relative target needs a factor")
        return self


class AbsoluteTarget(TargetBase):
    """A fixed value once a planned effect brings it, but never worse than the baseline."""

    kind: Literal["absolute"]
    value: float
    effects: list[Effect] = Field(min_length=1)


class BandTarget(TargetBase):
    """A healthy band, reached by a planned effect: a baseline outside it moves to the
    nearer edge."""

    kind: Literal["band"]
    low: float
    high: float
    effects: list[Effect] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> BandTarget:
        if self.low >= self.high:
            raise ValueError("low must be below high")
        return self


class HoldTarget(TargetBase):
    """Keep the baseline: a guard (the model's quality) that other work must not worsen."""

    kind: Literal["hold"]


TargetRule = Annotated[
    RelativeTarget | AbsoluteTarget | BandTarget | HoldTarget, Field(discriminator="kind")
]


class Kpi(Strict):
    id: Identifier
    area: Identifier
    title: Text
    unit: Unit
    direction: Literal["lower", "higher", "band"]
    baseline_question: Identifier
    target: TargetRule
    measure: Text
    promql: str | None = None

    @model_validator(mode="after")
    def _direction_fits_target(self) -> Kpi:
        target = self.target
        if (self.direction == "band") != isinstance(target, BandTarget):
            raise ValueError("a band direction needs a band target, and only it")
        if isinstance(target, RelativeTarget):
            for factor in [target.limit, *(effect.factor or 1 for effect in target.effects)]:
                if self.direction == "lower" and factor >= 1:
                    raise ValueError("a lower-is-better KPI needs factors and a limit below 1")
                if self.direction == "higher" and factor <= 1:
                    raise ValueError("a higher-is-better KPI needs factors and a limit above 1")
        if isinstance(target, (AbsoluteTarget, BandTarget)) and any(
            effect.factor is not None for effect in target.effects
        ):
            raise ValueError("only the effects of a relative target have a factor")
        return self


class Phase(Strict):
    number: int = Field(ge=1, le=4)
    title: Text
    summary: Text


class PlanLayout(Strict):
    """Which days each phase covers, for one plan length."""

    length: Literal[14, 30]
    phases: list[tuple[int, int]] = Field(min_length=4, max_length=4)

    @model_validator(mode="after")
    def _contiguous(self) -> PlanLayout:
        expected_start = 1
        for first, last in self.phases:
            if first != expected_start or last < first:
                raise ValueError("phases must cover the days in order without gaps")
            expected_start = last + 1
        if expected_start - 1 != self.length:
            raise ValueError("the last phase must end on the plan's last day")
        return self


class TaskCatalogue(Strict):
    tasks: list[Task] = Field(min_length=1)


class KpiCatalogue(Strict):
    kpis: list[Kpi] = Field(min_length=1)


class PlanStructure(Strict):
    version: str = Field(min_length=1)
    phases: list[Phase] = Field(min_length=4, max_length=4)
    layouts: list[PlanLayout] = Field(min_length=1)
