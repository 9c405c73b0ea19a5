"""Reads for reminders: a plan's schedule with each boundary's state and recipients."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from planner.plans.models import Plan
from planner.reminders.models import Delivery, DeliveryState, OptOut, Reminder, ReminderState
from planner.reminders.schedule import Boundary, Due, plan_schedule
from planner.teams.models import Membership


@dataclass
class ScheduleRow:
    boundary: Boundary
    at: datetime
    reminder: Reminder | None
    deliveries: list[Delivery] = field(default_factory=list)

    now: datetime | None = None
    reminders_from: datetime | None = None

    @property
    def state(self) -> str:
        """upcoming, due (its time passed, the next dispatch sends it), sending, sent,
        failed or skipped (also before the moment the plan's reminders count from, which
        the next dispatch records as such)."""
        if self.reminder is None:
            if self.reminders_from is not None and self.at < self.reminders_from:
                return "skipped"
            return "due" if self.now is not None and self.at <= self.now else "upcoming"
        if self.reminder.state == ReminderState.SKIPPED:
            return "skipped"
        states = {d.state for d in self.deliveries}
        if DeliveryState.FAILED in states:
            return "failed"
        if states & {DeliveryState.PENDING, DeliveryState.SENDING}:
            return "sending"
        return "sent"


def schedule_of(plan: Plan) -> list[Due]:
    """Every boundary of a started plan with the moment it falls due (none before start)."""
    if plan.start_date is None:
        return []
    return plan_schedule(
        plan.start_date,
        plan.phases,
        plan.length,
        zoneinfo.ZoneInfo(plan.team.time_zone),
        settings.REMINDER_HOUR,
    )


def plan_reminders(plan: Plan, now: datetime | None = None) -> list[ScheduleRow]:
    """Every boundary of the plan, with its ledger row and deliveries: three queries."""
    now = now or timezone.now()
    reminders = {r.key: r for r in plan.reminders.all()}
    deliveries: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in (
        Delivery.objects.filter(reminder__plan=plan).select_related("user").order_by("pk")
    ):
        deliveries[delivery.reminder_id].append(delivery)
    rows = []
    for due in schedule_of(plan):
        reminder = reminders.get(due.boundary.key)
        rows.append(
            ScheduleRow(
                due.boundary,
                reminder.due_at if reminder else due.at,
                reminder,
                deliveries.get(reminder.pk, []) if reminder else [],
                now,
                plan.reminders_from,
            )
        )
    return rows


def next_boundary(rows: list[ScheduleRow], now: datetime | None = None) -> Boundary:
    """The boundary a test reminder shows: the next one due, else the last."""
    now = now or timezone.now()
    upcoming = [row.boundary for row in rows if row.at > now]
    return upcoming[0] if upcoming else rows[-1].boundary


@dataclass
class Preference:
    membership: Membership
    subscribed: bool


def preferences(user_id: int) -> list[Preference]:
    opted_out = set(OptOut.objects.filter(user_id=user_id).values_list("team_id", flat=True))
    return [
        Preference(m, m.team_id not in opted_out)
        for m in Membership.objects.filter(user_id=user_id)
        .select_related("team")
        .order_by("team__name")
    ]
