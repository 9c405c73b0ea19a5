"""Reads for API tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from planner.api.models import ApiToken
from planner.plans.models import Plan, PlanTask
from planner.teams.models import hash_token


def team_tokens(team_id: int) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(team_id=team_id).select_related("created_by")


def token_of_team(team_id: int, token_id: int) -> ApiToken:
    return get_object_or_404(ApiToken, team_id=team_id, pk=token_id)


def token_for_secret(secret: str) -> ApiToken | None:
    """The token a bearer secret stands for (revoked and expired ones too), else None."""
    return (
        ApiToken.objects.select_related("team", "created_by")
        .filter(token_hash=hash_token(secret))
        .first()
    )


# A task as the API shows it: its description, steps and evidence stay on its page.
TASK_FIELDS = (
    "id", "catalogue_id", "area", "phase", "title", "start_day", "day", "part", "parts",
    "effort_hours", "status", "closed_at", "skip_reason", "note", "evidence_url",
    "notes_revision", "assignee__name", "assignee__email", "closed_by__name",
    "closed_by__email",
)  # fmt: skip


def task_rows(plan: Plan) -> QuerySet[PlanTask, dict[str, Any]]:
    """The plan's tasks in the order they are due, as plain rows (filter them further)."""
    rows: QuerySet[PlanTask, dict[str, Any]] = (
        PlanTask.objects.filter(plan=plan).order_by("day", "position", "pk").values(*TASK_FIELDS)
    )
    return rows
