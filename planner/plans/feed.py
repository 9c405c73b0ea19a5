"""Recording a change in the plan's activity feed (its history); callers do it inside the
change's transaction."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from planner.accounts.models import User
from planner.plans.models import Activity, ActivityKind, KpiTarget, Plan, PlanTask


def record(
    plan: Plan,
    actor: User | None,
    kind: ActivityKind,
    *,
    task: PlanTask | None = None,
    kpi_target: KpiTarget | None = None,
    at: datetime | None = None,
    detail: dict[str, object] | None = None,
) -> Activity:
    return Activity.objects.create(
        plan=plan,
        task=task,
        kpi_target=kpi_target,
        actor=actor,
        kind=kind,
        detail=detail or {},
        at=at or timezone.now(),
    )
