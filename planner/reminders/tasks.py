"""Celery tasks: beat runs `dispatch` and `sweep`; `send_delivery` sends one email.

Tasks take ids, not objects, and are safe to run twice: a delivery is sent only by the
task that claims it (see services). They are acknowledged after they ran (`acks_late`), so
a task lost with its worker is delivered again.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from planner.accounts.models import User
from planner.plans.models import Plan
from planner.reminders import services
from planner.reminders.emails import (
    boundary_of,
    build_message,
    connection,
    drop_connection,
    message_domain,
)
from planner.reminders.models import Delivery, DeliveryState

log = logging.getLogger(__name__)

# Errors worth another try later: the server refused for now, or was not there.
TRANSIENT = (smtplib.SMTPException, OSError)


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


def _send(message: EmailMultiAlternatives) -> None:
    """Send over this thread's open connection. Mail servers close idle sessions (Postfix
    after five minutes, about a dispatch interval), so a reused connection that turns out
    closed is reopened once at once rather than costing a retry and its delay."""
    backend = connection()
    try:
        backend.send_messages([message])
    except smtplib.SMTPServerDisconnected:
        drop_connection()
        connection().send_messages([message])


def backoff(retries: int) -> float:
    """Seconds before try `retries + 1`: the base, doubled each time, at most six hours."""
    return float(min(settings.REMINDER_RETRY_SECONDS * 2**retries, 6 * 3600))


@shared_task(
    name="planner.reminders.send",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=None,  # counted against REMINDER_RETRIES below, read at run time
)
def send_delivery(self: Any, delivery_id: int) -> str:
    if not services.delivery_claim(delivery_id):
        return "not pending"  # sent, being sent, failed or skipped: nothing to do
    delivery = Delivery.objects.select_related("reminder__plan__team", "user").get(pk=delivery_id)
    user, plan = delivery.user, delivery.reminder.plan
    if user is None or not user.email:
        services.delivery_skip(delivery_id, "no email address")
        return DeliveryState.SKIPPED
    try:
        message = build_message(
            plan, boundary_of(plan, delivery.reminder.key), user, message_id=delivery.message_id
        )
        _send(message)
    except TRANSIENT as error:
        drop_connection()
        reason = f"{type(error).__name__}: {error}"
        if self.request.retries >= settings.REMINDER_RETRIES:
            services.delivery_failed(delivery_id, reason)
            log.error("Reminder delivery %s failed for good: %s", delivery_id, reason)
            return DeliveryState.FAILED
        wait = backoff(self.request.retries)
        services.delivery_retry_later(delivery_id, reason, timezone.now() + timedelta(seconds=wait))
        raise self.retry(countdown=wait, exc=error) from error
    except Exception as error:
        # Not the mail server: a retry would fail the same way. Record it for the lead.
        services.delivery_failed(delivery_id, f"{type(error).__name__}: {error}")
        raise
    services.delivery_sent(delivery_id)
    return DeliveryState.SENT


@shared_task(name="planner.reminders.test", ignore_result=True)
def send_test(plan_id: int, user_id: int, key: str) -> None:
    """A lead's test reminder: the email of boundary `key`, to them only, not in the ledger."""
    plan = Plan.objects.select_related("team").get(pk=plan_id)
    user = User.objects.get(pk=user_id)
    stamp = int(timezone.now().timestamp())
    message = build_message(
        plan,
        boundary_of(plan, key),
        user,
        message_id=f"<reminder-test-{plan.pk}-{key}-{user.pk}-{stamp}@{message_domain()}>",
        test=True,
    )
    message.send()
