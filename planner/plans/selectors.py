"""Reads for plans."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from planner.accounts.models import User
from planner.plans.models import KpiTarget, Plan, PlanTask


def team_plans(team_id: int) -> QuerySet[Plan]:
    return Plan.objects.filter(team_id=team_id).order_by("-created_at")


def plan_of_team(team_id: int, plan_id: int) -> Plan:
    plan = Plan.objects.select_related("team").filter(team_id=team_id, pk=plan_id).first()
    if plan is None:
        raise Http404("No such plan.")
    return plan


def plan_tasks(plan: Plan) -> QuerySet[PlanTask]:
    return plan.tasks.select_related("assignee").order_by("day", "position", "pk")


def task_of_plan(plan: Plan, task_id: int) -> PlanTask:
    task = plan.tasks.select_related("assignee", "plan").filter(pk=task_id).first()
    if task is None:
        raise Http404("No such task.")
    return task


def target_of_plan(plan: Plan, target_id: int) -> KpiTarget:
    target = plan.kpi_targets.select_related("plan").filter(pk=target_id).first()
    if target is None:
        raise Http404("No such KPI target.")
    return target


def team_members_for_plan(plan: Plan) -> list[User]:
    """The people a task of the plan can be assigned to, in one query."""
    return list(User.objects.filter(memberships__team_id=plan.team_id).order_by("name", "email"))
