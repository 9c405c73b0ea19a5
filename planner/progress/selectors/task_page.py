"""A task's page: the task for a member of its team (or 404), what it needs first, and
its history."""

from __future__ import annotations

from django.http import Http404

from planner.plans.models import PlanTask
from planner.progress.selectors.feed import FeedEntry, feed_entries
from planner.teams.models import Membership

# Fields of the task's plan and people that its page and its actions do not read.
_NOT_READ = (
    "plan__maturity",
    "plan__seats",
    "plan__phases",
    "plan__playbook_version",
    "assignee__password",
    "closed_by__password",
)


def task_for_member(membership: Membership, plan_id: int, task_id: int) -> PlanTask:
    """The task with its plan, assignee and closer in one query; its team is the one the
    membership was read with (joining it again cost the task page a tenth of its time), and
    what the task's pages and actions never read is left out (decoding the plan's JSON and
    building three full objects cost as much again)."""
    task = (
        PlanTask.objects.select_related("plan", "assignee", "closed_by")
        .defer(*_NOT_READ)
        .filter(pk=task_id, plan_id=plan_id, plan__team_id=membership.team_id)
        .order_by()
        .first()
    )
    if task is None:
        raise Http404("No such task.")
    task.plan.team = membership.team
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


def task_history(task: PlanTask) -> list[FeedEntry]:
    """The task's feed entries, newest first; its plan and team are loaded."""
    entries = task.activities.select_related("actor").order_by("-at", "-pk")
    return feed_entries(
        entries, team_slug=task.plan.team.slug, plan_id=task.plan_id, link_tasks=False
    )
