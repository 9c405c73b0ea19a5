"""A task's page: the task for a member of its team (or 404), what it needs first, and
its history."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from planner.plans.models import Activity, PlanTask
from planner.teams.models import Membership


def task_for_member(membership: Membership, plan_id: int, task_id: int) -> PlanTask:
    task = (
        PlanTask.objects.select_related("plan__team", "assignee", "closed_by")
        .filter(pk=task_id, plan_id=plan_id, plan__team_id=membership.team_id)
        .first()
    )
    if task is None:
        raise Http404("No such task.")
    return task


def prerequisites(task: PlanTask) -> list[PlanTask]:
    """The tasks of its plan this one needs, in the order the task names them."""
    by_catalogue = {
        t.catalogue_id: t
        for t in task.plan.tasks.filter(catalogue_id__in=task.prerequisites).only(
            "pk", "catalogue_id", "title", "part", "parts", "status", "day", "plan_id"
        )
    }
    return [by_catalogue[c] for c in task.prerequisites if c in by_catalogue]


def task_history(task: PlanTask) -> QuerySet[Activity]:
    return task.activities.select_related("actor").order_by("-at", "-pk")
