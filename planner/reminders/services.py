"""Writes for reminders: dispatch due boundaries, send deliveries once, sweep, opt out.

The dispatcher is the only writer of the ledger (and of when a plan is next looked at);
plans and teams record facts on the plan (`reminders_from`, `next_reminder_at`) that it
reads. These services never queue tasks: they return the deliveries to send, and
`tasks` queues them.

Exactly once, in three steps:
1. `dispatch` locks the due plans (others skip them) and records each due boundary in
   the ledger (a unique row per plan and boundary) with one delivery row per member.
2. `delivery_claim` moves a delivery from pending to sending with a conditional UPDATE
   just before its email is sent: however many tasks run for it, one wins; the others
   find it taken and go on (see `sending`).
3. `sweep` puts back deliveries left in "sending" by a worker that died, and picks out
   pending ones whose task was lost; the resend carries the same Message-ID.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from planner.accounts.models import User
from planner.core.metrics import REMINDER_DELIVERIES
from planner.plans.models import Plan, PlanStatus
from planner.reminders.ledger_log import ledger_line
from planner.reminders.models import Delivery, DeliveryState, OptOut, Reminder, ReminderState
from planner.reminders.schedule import Decision, Due, decide
from planner.reminders.selectors import schedule_of
from planner.teams.models import Team

BATCH = 500  # plans locked and dispatched per transaction


@dataclass
class DispatchResult:
    plans: int = 0
    sent: int = 0  # boundaries dispatched
    skipped: int = 0  # boundaries recorded as missed
    deliveries: int = 0  # delivery rows to send
    # The pending deliveries of each reminder dispatched, for `tasks.enqueue`.
    to_send: list[list[int]] = field(default_factory=list, repr=False)

    def counts(self) -> dict[str, int]:
        return {
            "plans": self.plans,
            "sent": self.sent,
            "skipped": self.skipped,
            "deliveries": self.deliveries,
        }


def dispatch(now: datetime | None = None, *, batch: int = BATCH) -> DispatchResult:
    """Dispatch every due boundary of every active plan, in batches of locked plans."""
    now = now or timezone.now()
    result = DispatchResult()
    while True:
        with transaction.atomic():
            plans = list(
                Plan.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("team")
                .filter(status=PlanStatus.ACTIVE, next_reminder_at__lte=now)
                .order_by("next_reminder_at", "pk")[:batch]
            )
            for plan in plans:
                _dispatch_plan(plan, now, result)
        result.plans += len(plans)
        if len(plans) < batch:
            return result


def _dispatch_plan(plan: Plan, now: datetime, result: DispatchResult) -> None:
    done = set(plan.reminders.values_list("key", flat=True))
    decision: Decision = decide(schedule_of(plan), done, now, plan.reminders_from)
    if decision.skip:
        Reminder.objects.bulk_create(
            [
                Reminder(plan=plan, key=d.boundary.key, due_at=d.at, state=ReminderState.SKIPPED)
                for d in decision.skip
            ],
            ignore_conflicts=True,
        )
        for d in decision.skip:
            ledger_line(
                "skipped",
                plan_id=plan.pk,
                team_id=plan.team_id,
                boundary=d.boundary.key,
                reason="missed: a later boundary is due, or it was before reminders count",
            )
        result.skipped += len(decision.skip)
    if decision.send is not None:
        pending = _dispatch_boundary(plan, decision.send, now)
        if pending:
            result.to_send.append(pending)
        result.deliveries += len(pending)
        result.sent += 1
    Plan.objects.filter(pk=plan.pk).update(next_reminder_at=decision.next_at)


def _dispatch_boundary(plan: Plan, due: Due, now: datetime) -> list[int]:
    """Record the boundary and its deliveries; the ids of those to send."""
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the batch intact
            reminder = Reminder.objects.create(
                plan=plan,
                key=due.boundary.key,
                due_at=due.at,
                state=ReminderState.DISPATCHED,
                created_at=now,
            )
    except IntegrityError:
        return []  # another dispatcher recorded it first
    opted_out = set(OptOut.objects.filter(team_id=plan.team_id).values_list("user_id", flat=True))
    deliveries = []
    for member in User.objects.filter(memberships__team_id=plan.team_id).order_by("pk"):
        delivery = Delivery(reminder=reminder, user=member, email=member.email, next_attempt_at=now)
        if member.pk in opted_out:
            delivery.state, delivery.reason = DeliveryState.SKIPPED, "unsubscribed"
        elif not member.email or not member.is_active:
            delivery.state, delivery.reason = DeliveryState.SKIPPED, "no email address"
        deliveries.append(delivery)
    created = Delivery.objects.bulk_create(deliveries)
    pending = [d.pk for d in created if d.state == DeliveryState.PENDING]
    if skipped := len(created) - len(pending):
        transaction.on_commit(lambda: REMINDER_DELIVERIES.labels("skipped").inc(skipped))
    ledger_line(
        "dispatched",
        reminder_id=reminder.pk,
        plan_id=plan.pk,
        team_id=plan.team_id,
        boundary=due.boundary.key,
        deliveries=len(pending),
    )
    for d in created:
        if d.state == DeliveryState.SKIPPED:
            ledger_line(
                "delivery skipped",
                delivery_id=d.pk,
                reminder_id=reminder.pk,
                team_id=plan.team_id,
                boundary=due.boundary.key,
                reason=d.reason,
            )
    return pending


# The claim and the sent-mark run once per email sent. As SQL of our own they cost a fifth
# of what the ORM takes to build them (0.02 against 0.13 ms on SQLite, measured), which
# the email rate of `make bench` feels.
_DELIVERY = Delivery._meta.db_table


def delivery_claim(delivery_id: int, now: datetime | None = None) -> int | None:
    """Take a pending delivery for sending: one conditional UPDATE, so however many tasks
    run for it, one wins. Returns its attempts so far (this one included), or None if it
    was not pending (sent, taken by another task, failed or skipped)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_DELIVERY} SET state = %s, claimed_at = %s, attempts = attempts + 1 "  # noqa: S608 # names, not input
            "WHERE id = %s AND state = %s RETURNING attempts",
            [DeliveryState.SENDING, _stamp(now), delivery_id, DeliveryState.PENDING],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def delivery_sent(delivery_id: int, now: datetime | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_DELIVERY} SET state = %s, sent_at = %s, reason = '' "  # noqa: S608 # names, not input
            "WHERE id = %s AND state = %s",
            [DeliveryState.SENT, _stamp(now), delivery_id, DeliveryState.SENDING],
        )


def _stamp(now: datetime | None) -> Any:  # what the database driver takes
    return connection.ops.adapt_datetimefield_value(now or timezone.now())


def delivery_retry_later(delivery_id: int, error: str, at: datetime) -> None:
    """A send failed for now: back to pending, with the error, until `at`."""
    Delivery.objects.filter(pk=delivery_id, state=DeliveryState.SENDING).update(
        state=DeliveryState.PENDING, reason=error[:300], next_attempt_at=at
    )


def delivery_failed(delivery_id: int, error: str) -> None:
    """The last try failed: the lead sees it on the plan's reminder page."""
    Delivery.objects.filter(pk=delivery_id, state=DeliveryState.SENDING).update(
        state=DeliveryState.FAILED, reason=error[:300]
    )


def delivery_skip(delivery_id: int, reason: str) -> None:
    Delivery.objects.filter(pk=delivery_id, state=DeliveryState.SENDING).update(
        state=DeliveryState.SKIPPED, reason=reason
    )


@dataclass
class SweepResult:
    unstuck: int = 0
    requeued: int = 0
    # The deliveries put back or found lost, for `tasks.enqueue`.
    to_send: list[int] = field(default_factory=list, repr=False)

    def counts(self) -> dict[str, int]:
        return {"unstuck": self.unstuck, "requeued": self.requeued}


def sweep(now: datetime | None = None) -> SweepResult:
    """Put back deliveries stuck in "sending" (their worker died) and pick out pending
    ones whose task seems lost: both are to be sent again. A delivery is only ever sent by
    whoever claims it."""
    now = now or timezone.now()
    stale = now - timedelta(minutes=settings.REMINDER_STUCK_MINUTES)
    result = SweepResult()
    with transaction.atomic():
        stuck = list(
            Delivery.objects.filter(state=DeliveryState.SENDING, claimed_at__lt=stale).values_list(
                "pk", "reminder_id", "reminder__plan__team_id", "reminder__key"
            )
        )
        stuck_ids = [row[0] for row in stuck]
        result.unstuck = Delivery.objects.filter(
            pk__in=stuck_ids, state=DeliveryState.SENDING
        ).update(state=DeliveryState.PENDING, next_attempt_at=now)
        # Pending past its attempt time by the stale margin: its task was lost.
        lost = list(
            Delivery.objects.filter(
                state=DeliveryState.PENDING, next_attempt_at__lt=stale
            ).values_list("pk", "reminder_id", "reminder__plan__team_id", "reminder__key")
        )
        lost_ids = [row[0] for row in lost]
        Delivery.objects.filter(pk__in=lost_ids).update(next_attempt_at=now)
        result.requeued = len(lost)
    for why, rows in (("stuck in sending", stuck), ("its task was lost", lost)):
        for delivery_id, reminder_id, team_id, key in rows:
            ledger_line(
                "delivery put back",
                delivery_id=delivery_id,
                reminder_id=reminder_id,
                team_id=team_id,
                boundary=key,
                reason=why,
            )
    result.to_send = sorted(set(stuck_ids) | set(lost_ids))
    return result


def retry_failed(plan: Plan, now: datetime | None = None) -> list[int]:
    """The lead asks to try failed deliveries of a plan again: the ids to send."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(reminder__plan=plan, state=DeliveryState.FAILED).values_list(
                "pk", flat=True
            )
        )
        Delivery.objects.filter(pk__in=ids).update(
            state=DeliveryState.PENDING, next_attempt_at=now, attempts=0
        )
    if ids:
        ledger_line(
            "failed deliveries put back by the lead",
            plan_id=plan.pk,
            team_id=plan.team_id,
            deliveries=len(ids),
        )
    return ids


def opt_out(user: User, team: Team) -> bool:
    """Stop a team's reminders for the user; True if this changed anything."""
    _, created = OptOut.objects.get_or_create(user=user, team=team)
    return created


def opt_in(user: User, team: Team) -> bool:
    deleted, _ = OptOut.objects.filter(user=user, team=team).delete()
    return bool(deleted)
