"""Writes for the self-assessment: start or resume a draft, save a step, complete it."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from planner.accounts.models import User
from planner.assessment.answers import validate_answers
from planner.assessment.models import Assessment
from planner.assessment.selectors import assessment_errors
from planner.playbook.loader import Playbook
from planner.teams.models import Team


class AssessmentIncomplete(Exception):
    """Some answers are missing or invalid; `errors` maps section id to its questions' errors."""

    def __init__(self, errors: dict[str, dict[str, list[str]]]) -> None:
        super().__init__("The assessment has missing or invalid answers.")
        self.errors = errors


def assessment_start(*, team: Team, user: User, playbook: Playbook) -> Assessment:
    """The team's open draft, or a new one (a concurrent second start finds the first)."""
    draft = Assessment.objects.filter(team=team, completed_at=None).first()
    if draft is not None:
        return draft
    try:
        with transaction.atomic():
            return Assessment.objects.create(
                team=team, created_by=user, playbook_version=playbook.version
            )
    except IntegrityError:
        return Assessment.objects.get(team=team, completed_at=None)


def assessment_save_step(
    *,
    assessment: Assessment,
    playbook: Playbook,
    section_id: str,
    raw: dict[str, object],
    not_applicable: bool,
    target: int | None,
    now: datetime | None = None,
) -> dict[str, list[str]]:
    """Validate one wizard step and store it; on errors nothing is stored.

    Returns the errors per question (empty when the step was saved).
    """
    section = next(s for s in playbook.questionnaire.sections if s.id == section_id)
    area = next((a for a in playbook.questionnaire.areas if a.id == section.area), None)
    skipped = not_applicable and area is not None and not area.always_applies
    if not skipped:
        result = validate_answers(playbook, raw, section=section_id)
        if not result.ok:
            return result.errors
    answers = dict(assessment.answers)
    for question in section.questions:
        answers.pop(question.id, None)
        if not skipped and question.id in raw:
            answers[question.id] = raw[question.id]
    not_applicable_areas = set(assessment.not_applicable)
    targets = dict(assessment.targets)
    if area is not None:
        (not_applicable_areas.add if skipped else not_applicable_areas.discard)(area.id)
        if target is None:
            targets.pop(area.id, None)
        else:
            targets[area.id] = max(0, min(4, target))
    assessment.answers = answers
    assessment.not_applicable = sorted(not_applicable_areas)
    assessment.targets = targets
    assessment.updated_at = now or timezone.now()
    assessment.save(update_fields=["answers", "not_applicable", "targets", "updated_at"])
    return {}


def assessment_complete(
    *, assessment: Assessment, playbook: Playbook, now: datetime | None = None
) -> Assessment:
    errors = assessment_errors(assessment, playbook)
    if errors:
        raise AssessmentIncomplete(errors)
    result = validate_answers(
        playbook, assessment.answers, not_applicable=frozenset(assessment.not_applicable)
    )
    assessment.answers = result.answers
    assessment.completed_at = now or timezone.now()
    assessment.save(update_fields=["answers", "completed_at"])
    return assessment


def assessment_submit(
    *,
    team: Team,
    user: User,
    playbook: Playbook,
    answers: dict[str, object],
    not_applicable: list[str],
    targets: dict[str, int],
    now: datetime | None = None,
) -> Assessment:
    """A whole assessment at once (the API's): stored completed, or AssessmentIncomplete with
    the errors per question and nothing stored. A draft the wizard holds is left alone."""
    areas = {area.id: area for area in playbook.questionnaire.areas}
    errors: dict[str, list[str]] = {}
    for area_id in not_applicable:
        area = areas.get(area_id)
        if area is None:
            errors[f"not_applicable.{area_id}"] = [_("There is no such area.")]
        elif area.always_applies:
            errors[f"not_applicable.{area_id}"] = [_("This area applies to every team.")]
    for area_id in targets:
        if area_id not in areas:
            errors[f"targets.{area_id}"] = [_("There is no such area.")]
    skipped = frozenset(not_applicable) & set(areas)
    result = validate_answers(playbook, answers, not_applicable=skipped)
    errors.update(result.errors)
    if errors:
        raise AssessmentIncomplete({"": errors})
    now = now or timezone.now()
    return Assessment.objects.create(
        team=team,
        created_by=user,
        created_at=now,
        updated_at=now,
        completed_at=now,
        playbook_version=playbook.version,
        answers=result.answers,
        not_applicable=sorted(skipped),
        targets={area: max(0, min(4, value)) for area, value in targets.items()},
    )
