"""Where a plan's page and its tasks' pages are: Python's one way to their URLs.

Templates use `{% url %}`. These stand in for `get_absolute_url` on `Plan` and `PlanTask`
(`models.py` is not changed on this branch); the task's page is served by
`planner.progress`, found here by its URL name only.
"""

from __future__ import annotations

from django.urls import reverse

from planner.plans.models import Plan, PlanTask


def plan_url(plan: Plan) -> str:
    """The plan page; `plan.team` is read."""
    return reverse("plan_detail", kwargs={"team_slug": plan.team.slug, "plan_id": plan.pk})


def task_url(task: PlanTask) -> str:
    """The task's page; `task.plan.team` is read, so load them with the task."""
    return reverse(
        "task_detail",
        kwargs={"team_slug": task.plan.team.slug, "plan_id": task.plan_id, "task_id": task.pk},
    )
