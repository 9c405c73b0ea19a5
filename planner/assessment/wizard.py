"""What a wizard step shows and what its form posts: questions, values, errors, choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from planner.assessment.models import Assessment
from planner.assessment.scoring import area_scores
from planner.playbook.loader import Playbook
from planner.playbook.schema import (
    Area,
    MultipleChoiceQuestion,
    Question,
    Section,
    SingleChoiceQuestion,
)

NOT_APPLICABLE = "_not_applicable"
TARGET = "_target"


@dataclass(frozen=True)
class QuestionView:
    question: Question
    value: Any
    errors: list[str]

    @property
    def kind(self) -> str:
        return self.question.type

    @property
    def choices(self) -> list[tuple[str, Any, bool]]:
        """(id, label, checked) for choice questions."""
        if not isinstance(self.question, (SingleChoiceQuestion, MultipleChoiceQuestion)):
            return []
        chosen = self.value if isinstance(self.value, list) else [self.value]
        return [(c.id, c.label, c.id in chosen) for c in self.question.choices]

    @property
    def display_value(self) -> str:
        return "" if self.value is None else str(self.value)


@dataclass(frozen=True)
class StepView:
    section: Section
    area: Area | None
    questions: list[QuestionView]
    not_applicable: bool
    target: int | None
    current: int | None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def can_skip(self) -> bool:
        return self.area is not None and not self.area.always_applies

    @property
    def default_target(self) -> int | None:
        return None if self.current is None else min(4, self.current + 1)

    @property
    def levels(self) -> range:
        return range(5)


def parse_step(
    playbook: Playbook, section_id: str, post: QueryDict
) -> tuple[dict[str, object], bool, int | None]:
    """The raw answers of one step's form, whether the area is marked n/a, and its target."""
    section = next(s for s in playbook.questionnaire.sections if s.id == section_id)
    raw: dict[str, object] = {}
    for question in section.questions:
        if isinstance(question, MultipleChoiceQuestion):
            raw[question.id] = post.getlist(question.id)
        else:
            raw[question.id] = post.get(question.id, "").strip()
    target_text = post.get(TARGET, "")
    target = int(target_text) if target_text.isdigit() and int(target_text) <= 4 else None
    return raw, post.get(NOT_APPLICABLE) == "on", target


def step_view(
    playbook: Playbook,
    assessment: Assessment,
    section_id: str,
    raw: dict[str, object] | None = None,
    errors: dict[str, list[str]] | None = None,
    not_applicable: bool | None = None,
    target: int | None = None,
) -> StepView:
    section = next(s for s in playbook.questionnaire.sections if s.id == section_id)
    area = next((a for a in playbook.questionnaire.areas if a.id == section.area), None)
    values = raw if raw is not None else assessment.answers
    errors = errors or {}
    current = None
    if area is not None:
        score = next(s for s in area_scores(playbook, assessment.answers) if s.area == area.id)
        current = score.current
    return StepView(
        section=section,
        area=area,
        questions=[
            QuestionView(q, values.get(q.id), errors.get(q.id, [])) for q in section.questions
        ],
        not_applicable=(
            not_applicable
            if not_applicable is not None
            else area is not None and area.id in assessment.not_applicable
        ),
        target=target if raw is not None else (assessment.targets.get(area.id) if area else None),
        current=current,
        errors={
            key: messages
            for key, messages in errors.items()
            if key not in {q.id for q in section.questions}
        },
    )
