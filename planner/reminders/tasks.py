"""Celery tasks, and the one module that queues them: beat runs `dispatch` and `sweep`;
`send_deliveries` sends a batch; `send_test` a lead's test reminder.

Tasks take ids, not objects. The ones made safe to run twice by the ledger are
acknowledged only after they ran (`acks_late`), so a task lost with its worker is
delivered again: a delivery is sent only by the task that claims it (see services), and
a boundary is recorded once however many dispatchers run. A test reminder is not in the
ledger, so its task is acknowledged when it starts: a worker that dies loses it rather
than sending it twice.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from celery import Task, shared_task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from planner.accounts.models import User
from planner.core.metrics import REMINDER_DELIVERIES, count_deliveries
from planner.plans.models import Plan
from planner.reminders import sending, services
from planner.reminders.emails import ReminderMail, boundary_of, message_domain

log = logging.getLogger(__name__)

SEND_BATCH = 50  # deliveries per send task: a reminder's, unless its team is larger

# Safe to run twice, and run again if their worker dies.
IDEMPOTENT: dict[str, Any] = {"acks_late": True, "reject_on_worker_lost": True}


class QueueUnavailable(Exception):
    """The broker did not take the task: nothing was queued (the ledger keeps what was
    to be sent, and the sweeper queues it once the broker answers)."""


def publish(task: Any, *args: Any) -> None:
    """Queue `task` now, once: a broker that is down is reported at once as
    QueueUnavailable instead of being retried while a page waits."""
    try:
        task.apply_async(args, retry=False)
    except (KombuOperationalError, OSError) as error:
        log.warning("Task queue unavailable, %s not queued: %s", task.name, error)
        raise QueueUnavailable from error


def enqueue(delivery_ids: Sequence[int]) -> None:
    """Queue send tasks for these deliveries, SEND_BATCH a task, once the transaction
    commits. Callers pass the ids of one reminder at a time, or ordered by reminder."""
    for start in range(0, len(delivery_ids), SEND_BATCH):
        batch = list(delivery_ids[start : start + SEND_BATCH])
        transaction.on_commit(functools.partial(publish, send_deliveries, batch))


def dispatch_due(now: datetime | None = None) -> services.DispatchResult:
    """Record every due boundary in the ledger, then queue the sending of its emails (a
    send task per reminder). Should this process die in between, the sweeper finds the
    deliveries pending and queues them."""
    result = services.dispatch(now)
    for delivery_ids in result.to_send:
        enqueue(delivery_ids)
    return result


def sweep_stuck(now: datetime | None = None) -> services.SweepResult:
    """Put back deliveries whose worker died or whose task was lost, and queue them."""
    result = services.sweep(now)
    enqueue(result.to_send)
    return result


def retry_failed(plan: Plan) -> int:
    """Send a plan's failed deliveries again (the lead asks); how many."""
    delivery_ids = services.retry_failed(plan)
    enqueue(delivery_ids)
    return len(delivery_ids)


@shared_task(name="planner.reminders.dispatch", ignore_result=True, **IDEMPOTENT)
def dispatch() -> dict[str, int]:
    result = dispatch_due()
    if result.plans:
        log.info("Reminders dispatched: %s", result)
    return result.counts()


@shared_task(name="planner.reminders.sweep", ignore_result=True, **IDEMPOTENT)
def sweep() -> dict[str, int]:
    result = sweep_stuck()
    if result.unstuck or result.requeued:
        log.warning("Reminder deliveries put back: %s", result)
    return result.counts()


@shared_task(name="planner.reminders.send_batch", bind=True, ignore_result=True, **IDEMPOTENT)
def send_deliveries(self: Task[Any, Any], delivery_ids: list[int]) -> dict[str, int]:
    """Send the pending ones of these deliveries; queue those refused for now again after
    their backoff (each delivery counts its own attempts, up to REMINDER_RETRIES), on the
    queue this batch came from, as Celery's own retry would."""
    result = sending.send_batch(delivery_ids)
    count_deliveries(REMINDER_DELIVERIES, result.counts())
    queue = (self.request.delivery_info or {}).get("routing_key")
    route: dict[str, Any] = {"queue": queue} if queue else {}
    for wait, ids in result.later.items():
        send_deliveries.apply_async((ids,), countdown=wait, **route)
    return result.counts()


@shared_task(name="planner.reminders.test", ignore_result=True)
def send_test(plan_id: int, user_id: int, key: str) -> None:
    """A lead's test reminder: the email of boundary `key`, to them only, not in the ledger."""
    plan = Plan.objects.select_related("team").get(pk=plan_id)
    user = User.objects.get(pk=user_id)
    stamp = int(timezone.now().timestamp())
    mail = ReminderMail(plan, boundary_of(plan, key), test=True)
    message_id = f"<reminder-test-{plan.pk}-{key}-{user.pk}-{stamp}@{message_domain()}>"
    mail.email(user, message_id=message_id).send()
    log.info(
        "Test reminder sent: plan_id=%s team_id=%s boundary=%s user_id=%s",
        plan.pk,
        plan.team_id,
        key,
        user.pk,
        extra={"plan_id": plan.pk, "team_id": plan.team_id, "boundary": key, "user_id": user.pk},
    )
