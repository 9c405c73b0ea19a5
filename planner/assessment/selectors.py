"""Reads for assessments."""

from __future__ import annotations

from planner.assessment.models import Assessment
from planner.teams.models import Team


def draft_assessment(team: Team) -> Assessment | None:
    return Assessment.objects.filter(team=team, completed_at=None).first()


def latest_completed(team: Team, before: Assessment | None = None) -> Assessment | None:
    """The most recent completed assessment (older than `before`, if given)."""
    completed = Assessment.objects.filter(team=team, completed_at__isnull=False)
    if before is not None:
        completed = completed.exclude(pk=before.pk).filter(created_at__lt=before.created_at)
    return completed.order_by("-completed_at").first()
