"""Maturity per area (0-4) from validated answers, target maturity, and the gaps between."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from planner.playbook.loader import Playbook
from planner.playbook.rules import Answers
from planner.playbook.schema import MultipleChoiceQuestion, Question, SingleChoiceQuestion

MAX_LEVEL = 4


def question_score(question: Question, answer: object) -> int | None:
    """A question's maturity contribution, or None when it says nothing about maturity."""
    if isinstance(question, SingleChoiceQuestion):
        choice = next((c for c in question.choices if c.id == answer), None)
        return None if choice is None else choice.score
    if isinstance(question, MultipleChoiceQuestion):
        scores = {c.id: c.score for c in question.choices}
        if all(score is None for score in scores.values()):
            return None
        chosen = answer if isinstance(answer, list) else []
        return min(MAX_LEVEL, sum(scores.get(choice) or 0 for choice in chosen))
    return None


@dataclass(frozen=True)
class AreaScore:
    area: str
    current: int
    target: int
    applicable: bool

    @property
    def has_gap(self) -> bool:
        return self.applicable and self.current < self.target


@dataclass(frozen=True)
class Gap:
    """A question whose answer sits below its area's target: the answer behind a gap."""

    area: str
    question: str
    score: int
    target: int


def area_scores(
    playbook: Playbook,
    answers: Answers,
    *,
    targets: Mapping[str, int] | None = None,
    not_applicable: frozenset[str] = frozenset(),
) -> list[AreaScore]:
    """Current maturity per area (the rounded mean of its scored answers) and its target.

    The default target is one level above today's, at most 4.
    """
    targets = targets or {}
    result = []
    for area in playbook.questionnaire.areas:
        scores = [
            score
            for section in playbook.questionnaire.sections
            if section.area == area.id
            for question in section.questions
            if (score := question_score(question, answers.get(question.id))) is not None
        ]
        current = round(sum(scores) / len(scores)) if scores else 0
        applicable = area.always_applies or area.id not in not_applicable
        target = targets.get(area.id, min(MAX_LEVEL, current + 1))
        result.append(AreaScore(area.id, current, max(0, min(MAX_LEVEL, target)), applicable))
    return result


def gaps(playbook: Playbook, answers: Answers, scores: list[AreaScore]) -> list[Gap]:
    by_area = {score.area: score for score in scores}
    found = []
    for section in playbook.questionnaire.sections:
        area = by_area.get(section.area or "")
        if area is None or not area.has_gap:
            continue
        for question in section.questions:
            score = question_score(question, answers.get(question.id))
            if score is not None and score < area.target:
                found.append(Gap(area.area, question.id, score, area.target))
    return found
