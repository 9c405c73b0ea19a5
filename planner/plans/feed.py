"""Recording a change in the plan's activity feed (its history); callers do it inside the
change's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from planner.accounts.models import User
from planner.core.metrics import PLAN_ACTIVITIES
from planner.plans.models import Activity, ActivityKind, KpiTarget, Plan, PlanTask

# What a change came through when not a person's own click: an API token's name, say. The
# feed shows it beside the person the change is recorded for.
_via: ContextVar[str] = ContextVar("via", default="")


@contextmanager
def acting_via(name: str) -> Iterator[None]:
    """Record every change made inside the block as made through `name`."""
    reset = _via.set(name)
    try:
        yield
    finally:
        _via.reset(reset)


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
    detail = dict(detail or {})
    if via := _via.get():
        detail["via"] = via
    activity = Activity.objects.create(
        plan=plan,
        task=task,
        kpi_target=kpi_target,
        actor=actor,
        kind=kind,
        detail=detail,
        at=at or timezone.now(),
    )
    # Counted once it is there for good: a change rolled back was never made.
    transaction.on_commit(PLAN_ACTIVITIES.labels(kind.value).inc)
    return activity
