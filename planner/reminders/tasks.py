"""Celery tasks: beat runs `dispatch` and `sweep`; `send_deliveries` sends a batch.

Tasks take ids, not objects, and are safe to run twice: a delivery is sent only by the
task that claims it (see services). They are acknowledged after they ran (`acks_late`), so
a task lost with its worker is delivered again.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from django.utils import timezone

from planner.accounts.models import User
from planner.plans.models import Plan
from planner.reminders import sending, services
from planner.reminders.emails import ReminderMail, boundary_of, message_domain

log = logging.getLogger(__name__)


@shared_task(name="planner.reminders.dispatch", ignore_result=True)
def dispatch() -> dict[str, int]:
    result = services.dispatch()
    if result.plans:
        log.info("Reminders dispatched: %s", result)
    return result.__dict__


@shared_task(name="planner.reminders.sweep", ignore_result=True)
def sweep() -> dict[str, int]:
    result = services.sweep()
    if result.unstuck or result.requeued:
        log.warning("Reminder deliveries put back: %s", result)
    return result.__dict__


@shared_task(
    name="planner.reminders.send_batch",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def send_deliveries(self: Task[Any, Any], delivery_ids: list[int]) -> dict[str, int]:
    """Send the pending ones of these deliveries; queue those refused for now again after
    their backoff (each delivery counts its own attempts, up to REMINDER_RETRIES), on the
    queue this batch came from, as Celery's own retry would."""
    result = sending.send_batch(delivery_ids)
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
