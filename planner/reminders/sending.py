"""Send a batch of deliveries: claim each, write its email, send it, record the outcome.

A send task takes the deliveries of one reminder (up to `tasks.SEND_BATCH`): their
emails share most of their content, which `ReminderMail` renders once, and they go out
through the mail backend's `send_messages` over one connection, opened for the batch at
its first email and closed after its last. Each delivery is still claimed and marked
sent on its own, so a worker that dies mid-batch leaves one delivery in "sending" (the
sweeper puts it back) and the rest pending for the redelivered task: at most that one
email goes out twice, with the same Message-ID.

SMTP errors are told apart as the RFC 5321 reply codes do: a 5xx refusal of a message is
final (the delivery fails at once, with the server's words for the lead); a 4xx refusal
is tried again later; a server that is down or drops the session is tried once a batch:
the attempt of every delivery left in the batch fails, and they are all tried again
together.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from planner.core.metrics import REMINDER_DISPATCH_LAG
from planner.reminders import services
from planner.reminders.emails import ReminderMail, boundary_of
from planner.reminders.models import Delivery, DeliveryState, Reminder

log = logging.getLogger(__name__)


class Failure(enum.Enum):
    CONNECTION = "connection"  # the server is unreachable or dropped us: stop the batch
    TEMPORARY = "temporary"  # this message refused for now (4xx): try it again later
    PERMANENT = "permanent"  # this message refused for good (5xx): do not try again


def failure_of(error: Exception) -> Failure:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return Failure.PERMANENT if codes and min(codes) >= 500 else Failure.TEMPORARY
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return Failure.PERMANENT if error.smtp_code >= 500 else Failure.TEMPORARY
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return Failure.PERMANENT  # e.g. an address the server cannot take (SMTPUTF8)
    return Failure.CONNECTION


# Errors of the mail server or the way to it.
SMTP_ERRORS = (smtplib.SMTPException, OSError)


def backoff(retries: int) -> float:
    """Seconds before try `retries + 1`: the base, doubled each time, at most six hours."""
    return float(min(settings.REMINDER_RETRY_SECONDS * 2**retries, 6 * 3600))


@dataclass
class BatchResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    not_pending: int = 0  # sent, being sent or ended meanwhile: another task had them
    # Deliveries to try again: seconds to wait -> their ids.
    later: dict[float, list[int]] = field(default_factory=lambda: defaultdict(list))

    def counts(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "skipped": self.skipped,
            "failed": self.failed,
            "not_pending": self.not_pending,
            "later": sum(len(ids) for ids in self.later.values()),
        }


def send_batch(delivery_ids: list[int], now: datetime | None = None) -> BatchResult:
    result = BatchResult()
    deliveries = list(
        Delivery.objects.filter(pk__in=delivery_ids, state=DeliveryState.PENDING)
        .select_related("user")
        .order_by("reminder_id", "pk")
    )
    # A batch is one reminder's, or a few: each loaded once, not joined into every row.
    reminders = Reminder.objects.select_related("plan__team").in_bulk(
        {d.reminder_id for d in deliveries}
    )
    mails: dict[int, ReminderMail] = {}
    backend = get_connection(fail_silently=False)
    down = ""  # why the mail server cannot be reached, once it could not
    try:
        for delivery in deliveries:
            attempts = services.delivery_claim(delivery.pk, now)
            if attempts is None:
                result.not_pending += 1
                continue
            user = delivery.user
            if user is None or not user.email:
                services.delivery_skip(delivery.pk, "no email address")
                result.skipped += 1
                continue
            if down:
                _attempt_failed(delivery.pk, attempts, down, result, now)
                continue
            try:
                reminder = delivery.reminder = reminders[delivery.reminder_id]
                mail = mails.get(reminder.pk)
                if mail is None:
                    plan = reminder.plan
                    mail = mails[reminder.pk] = ReminderMail(plan, boundary_of(plan, reminder.key))
                message = mail.email(user, message_id=delivery.message_id, now=now)
            except Exception as error:
                log.exception("Reminder delivery %s could not be written", delivery.pk)
                _unwritable(delivery.pk, error, result)
                continue
            try:
                send(backend, message)
            except SMTP_ERRORS as error:
                reason = f"{type(error).__name__}: {error}"
                kind = failure_of(error)
                if kind is Failure.PERMANENT:
                    services.delivery_failed(delivery.pk, reason)
                    result.failed += 1
                    continue
                if kind is Failure.CONNECTION:
                    down = reason
                _attempt_failed(delivery.pk, attempts, reason, result, now)
            except Exception as error:
                # Django's mail stack refused to write it (an address it cannot encode, say).
                log.exception("Reminder delivery %s could not be written", delivery.pk)
                _unwritable(delivery.pk, error, result)
            else:
                services.delivery_sent(delivery.pk, now)
                result.sent += 1
                lag = (now or timezone.now()) - reminder.due_at
                REMINDER_DISPATCH_LAG.observe(max(lag.total_seconds(), 0.0))
    finally:
        # Every outcome is recorded; a session that will not close cleanly changes none.
        with contextlib.suppress(*SMTP_ERRORS):
            backend.close()
    return result


def send(backend: BaseEmailBackend, message: EmailMessage) -> None:
    """Send through the backend over its open connection, opening it first if need be:
    `send_messages` closes only a connection it opened itself, so the batch keeps one."""
    backend.open()
    backend.send_messages([message])


def _unwritable(delivery_id: int, error: Exception, result: BatchResult) -> None:
    # Not the mail server: a retry would fail the same way. The lead sees it; the rest of
    # the batch still goes out.
    services.delivery_failed(delivery_id, f"{type(error).__name__}: {error}")
    result.failed += 1


def _attempt_failed(
    delivery_id: int, attempts: int, reason: str, result: BatchResult, now: datetime | None
) -> None:
    if attempts > settings.REMINDER_RETRIES:
        services.delivery_failed(delivery_id, reason)
        log.error("Reminder delivery %s failed for good: %s", delivery_id, reason)
        result.failed += 1
        return
    wait = backoff(attempts - 1)
    at = (now or timezone.now()) + timedelta(seconds=wait)
    services.delivery_retry_later(delivery_id, reason, at)
    result.later[wait].append(delivery_id)
