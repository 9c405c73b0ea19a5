"""What Planner tells the outside: the event types, which feed entries make them, and the
payload's shape (Standard Webhooks: `type`, `timestamp`, `data`). Pure: values in and out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from planner.progress.standing import KpiStanding


class EventType(models.TextChoices):
    TASK_DONE = "task.done", _("Task done")
    TASK_REOPENED = "task.reopened", _("Task reopened")
    MEASUREMENT_RECORDED = "measurement.recorded", _("Measurement recorded")
    TARGET_REACHED = "target.reached", _("KPI target reached")
    PHASE_STARTED = "phase.started", _("Phase started")
    PLAN_FINISHED = "plan.finished", _("Plan finished")
    # For chat channels only: the summary at a phase boundary, and the weekly digest.
    PHASE_SUMMARY = "phase.summary", _("Phase summary")
    WEEKLY_DIGEST = "weekly.digest", _("Weekly digest")


# What a lead can pick for a webhook endpoint, in the order the form shows them.
WEBHOOK_EVENTS: tuple[EventType, ...] = (
    EventType.TASK_DONE,
    EventType.TASK_REOPENED,
    EventType.MEASUREMENT_RECORDED,
    EventType.TARGET_REACHED,
    EventType.PHASE_STARTED,
    EventType.PLAN_FINISHED,
)

# Feed entries (planner.plans.models.ActivityKind values) that make an event.
FROM_ACTIVITY: dict[str, EventType] = {
    "done": EventType.TASK_DONE,
    "reopened": EventType.TASK_REOPENED,
    "measured": EventType.MEASUREMENT_RECORDED,
    "finished": EventType.PLAN_FINISHED,
}


def reached_now(before: KpiStanding, after: KpiStanding) -> bool:
    """A measurement reaches the target when the KPI stands at it after and did not before
    (the same rule as the dashboard's, `KpiStanding.reached`)."""
    return after.reached and not before.reached


def activity_events(kind: str, *, target_crossed: bool = False) -> list[EventType]:
    """The events one feed entry makes: none, one, or a measurement that also reached
    its target."""
    event = FROM_ACTIVITY.get(kind)
    if event is None:
        return []
    if event is EventType.MEASUREMENT_RECORDED and target_crossed:
        return [event, EventType.TARGET_REACHED]
    return [event]


def timestamp(at: datetime) -> str:
    """RFC 3339 in UTC, to the second: 2026-03-02T08:00:00Z."""
    return at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def payload(event_type: str, at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": event_type, "timestamp": timestamp(at), "data": data}
