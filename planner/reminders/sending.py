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
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from planner.core.metrics import REMINDER_DISPATCH_LAG
from planner.reminders import services
from planner.reminders.emails import ReminderMail, boundary_of
from planner.reminders.ledger_log import error_kind, ledger_line
from planner.reminders.models import Delivery, DeliveryState, Reminder


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
            ref = _ref(delivery, reminders.get(delivery.reminder_id))
            attempts = services.delivery_claim(delivery.pk, now)
            if attempts is None:
                ledger_line("delivery not pending, left to its owner", level=logging.DEBUG, **ref)
                result.not_pending += 1
                continue
            ledger_line("delivery claimed", **ref, attempt=attempts)
            user = delivery.user
            if user is None or not user.email:
                services.delivery_skip(delivery.pk, "no email address")
                ledger_line("delivery skipped", **ref, reason="no email address")
                result.skipped += 1
                continue
            if down:
                _attempt_failed(delivery.pk, attempts, down, ref, result, now)
                continue
            try:
                reminder = delivery.reminder = reminders[delivery.reminder_id]
                mail = mails.get(reminder.pk)
                if mail is None:
                    plan = reminder.plan
                    mail = mails[reminder.pk] = ReminderMail(plan, boundary_of(plan, reminder.key))
                message = mail.email(user, message_id=delivery.message_id, now=now)
            except Exception as error:  # noqa: BLE001 - recorded for the lead, logged by class and place
                _unwritable(delivery.pk, error, ref, result)
                continue
            try:
                send(backend, message)
            except SMTP_ERRORS as error:
                reason = f"{type(error).__name__}: {error}"
                kind = failure_of(error)
                if kind is Failure.PERMANENT:
                    services.delivery_failed(delivery.pk, reason)
                    ledger_line(
                        "delivery failed, given up",
                        level=logging.ERROR,
                        **ref,
                        attempt=attempts,
                        error=error_kind(error),
                        why="refused for good",
                    )
                    result.failed += 1
                    continue
                if kind is Failure.CONNECTION:
                    down = reason
                _attempt_failed(delivery.pk, attempts, reason, ref, result, now, error)
            except Exception as error:  # noqa: BLE001 - as above
                # Django's mail stack refused to write it (an address it cannot encode, say).
                _unwritable(delivery.pk, error, ref, result)
            else:
                services.delivery_sent(delivery.pk, now)
                ledger_line("delivery sent", **ref, attempt=attempts)
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


def _ref(delivery: Delivery, reminder: Reminder | None) -> dict[str, Any]:
    """What a ledger line names: the delivery, its team and boundary (never the address)."""
    return {
        "delivery_id": delivery.pk,
        "reminder_id": delivery.reminder_id,
        "team_id": reminder.plan.team_id if reminder else None,
        "boundary": reminder.key if reminder else None,
    }


def _unwritable(
    delivery_id: int, error: Exception, ref: dict[str, Any], result: BatchResult
) -> None:
    # Not the mail server: a retry would fail the same way. The lead sees it with the
    # error's words; the log has its class only (the words can quote the address), and
    # the rest of the batch still goes out.
    services.delivery_failed(delivery_id, f"{type(error).__name__}: {error}")
    ledger_line(
        "delivery failed, given up",
        level=logging.ERROR,
        **ref,
        error=error_kind(error),
        where=_where(error),
        why="email could not be written",
    )
    result.failed += 1


def _where(error: Exception) -> str:
    """The innermost frame the error came from (file, line, function): where to look,
    without the error's words."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "-"
    frame = frames[-1]
    return f"{Path(frame.filename).name}:{frame.lineno}:{frame.name}"


def _attempt_failed(
    delivery_id: int,
    attempts: int,
    reason: str,
    ref: dict[str, Any],
    result: BatchResult,
    now: datetime | None,
    error: Exception | None = None,
) -> None:
    # Without the error: the mail server was found down earlier in this batch.
    kind = error_kind(error) if error is not None else "mail server down"
    if attempts > settings.REMINDER_RETRIES:
        services.delivery_failed(delivery_id, reason)
        ledger_line(
            "delivery failed, given up",
            level=logging.ERROR,
            **ref,
            attempt=attempts,
            error=kind,
            why="no tries left",
        )
        result.failed += 1
        return
    wait = backoff(attempts - 1)
    at = (now or timezone.now()) + timedelta(seconds=wait)
    services.delivery_retry_later(delivery_id, reason, at)
    ledger_line(
        "delivery failed, retry later",
        level=logging.WARNING,
        **ref,
        attempt=attempts,
        retries=settings.REMINDER_RETRIES,
        error=kind,
        next_try=at.isoformat(),
    )
    result.later[wait].append(delivery_id)
