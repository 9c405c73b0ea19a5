"""Every task of some plans as plain facts: what `planner.progress.standing` computes from."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

from django.db.models import Count, Sum

from planner.plans.days import plan_day
from planner.plans.models import Plan, PlanTask
from planner.progress.standing import TaskFact


def facts_by_plan(plans: Iterable[Plan]) -> dict[int, list[TaskFact]]:
    """Every task of the plans as plain facts, in one query."""
    by_id = {plan.pk: plan for plan in plans}
    zones = {pk: zoneinfo.ZoneInfo(plan.team.time_zone) for pk, plan in by_id.items()}
    result: dict[int, list[TaskFact]] = {pk: [] for pk in by_id}
    rows = PlanTask.objects.filter(plan_id__in=by_id).values_list(
        "plan_id", "phase", "day", "effort_hours", "status", "closed_at", "assignee_id"
    )
    for plan_id, phase, day, effort, state, closed_at, assignee_id in rows:
        closed_day = None
        start = by_id[plan_id].start_date
        if closed_at is not None and start is not None:
            closed_day = plan_day(start, closed_at.astimezone(zones[plan_id]).date())
        result[plan_id].append(TaskFact(phase, day, float(effort), state, closed_day, assignee_id))
    return result


def grouped_facts_by_plan(plans: Iterable[Plan]) -> dict[int, list[TaskFact]]:
    """The plans' tasks summed in the database per phase, day and status: enough for a
    plan's standing and phase progress (not for the burn-up or who carries what), in one
    query that returns a few dozen rows per plan however many tasks it has."""
    ids = [plan.pk for plan in plans]
    result: dict[int, list[TaskFact]] = {pk: [] for pk in ids}
    rows = (
        PlanTask.objects.filter(plan_id__in=ids)
        .order_by()
        .values_list("plan_id", "phase", "day", "status")
        .annotate(tasks=Count("*"), effort=Sum("effort_hours"))
    )
    for plan_id, phase, day, state, tasks, effort in rows:
        result[plan_id].append(TaskFact(phase, day, float(effort), state, count=tasks))
    return result
