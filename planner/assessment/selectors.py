"""Reads for assessments."""

from __future__ import annotations

from typing import Any

from planner.assessment.answers import validate_answers
from planner.assessment.models import Assessment
from planner.assessment.scoring import area_scores, gaps
from planner.playbook.loader import Playbook, get_playbook
from planner.teams.models import Membership, Team


def draft_assessment(team: Team) -> Assessment | None:
    return Assessment.objects.filter(team=team, completed_at=None).first()


def latest_completed(team: Team, before: Assessment | None = None) -> Assessment | None:
    """The most recent completed assessment (older than `before`, if given)."""
    completed = Assessment.objects.filter(team=team, completed_at__isnull=False)
    if before is not None:
        completed = completed.exclude(pk=before.pk).filter(created_at__lt=before.created_at)
    return completed.order_by("-completed_at").first()


def assessment_errors(
    assessment: Assessment, playbook: Playbook
) -> dict[str, dict[str, list[str]]]:
    """Errors of the whole assessment, grouped by wizard step."""
    result = validate_answers(
        playbook, assessment.answers, not_applicable=frozenset(assessment.not_applicable)
    )
    grouped: dict[str, dict[str, list[str]]] = {}
    for question_id, messages in result.errors.items():
        section = playbook.question_section.get(question_id)
        grouped.setdefault(section.id if section else "", {})[question_id] = messages
    return grouped


def result_context(team: Team, assessment: Assessment, membership: Membership) -> dict[str, Any]:
    """What the result page shows: maturity per area (before and after a retake), the gaps
    linked to the answers behind them, and what keeps the assessment from a plan."""
    playbook = get_playbook()
    errors = assessment_errors(assessment, playbook)
    not_applicable = frozenset(assessment.not_applicable)
    scores = area_scores(
        playbook, assessment.answers, targets=assessment.targets, not_applicable=not_applicable
    )
    previous = latest_completed(team, before=assessment)
    before = (
        {
            s.area: s.current
            for s in area_scores(
                playbook,
                previous.answers,
                not_applicable=frozenset(previous.not_applicable),
            )
        }
        if previous
        else {}
    )
    titles = {a.id: a for a in playbook.questionnaire.areas}
    sections = {s.id: s for s in playbook.questionnaire.sections}
    return {
        "team": team,
        "membership": membership,
        "assessment": assessment,
        "errors": [(sections.get(section_id), messages) for section_id, messages in errors.items()],
        "scores": [
            {
                "area": titles[s.area],
                "current": s.current,
                "target": s.target,
                "applicable": s.applicable,
                "before": before.get(s.area),
            }
            for s in scores
        ],
        "has_before": bool(before),
        "gaps": [
            {
                "area": titles[g.area],
                "question": playbook.questions[g.question],
                "section": playbook.question_section[g.question],
                "score": g.score,
                "target": g.target,
            }
            for g in gaps(playbook, assessment.answers, scores)
        ],
    }
