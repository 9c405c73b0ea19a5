"""Send one delivery: claim it, post its body (signed, for a webhook), record the outcome.

What is tried again: no answer (the network, a timeout, a host that does not resolve
now), 408, 429 and 5xx, with a doubling wait (a longer Retry-After wins) up to
WEBHOOKS_RETRIES; what fails at once: any other 4xx, a redirect (not followed), and an
address that is private at delivery time though it was public at registration.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from planner.core.metrics import WEBHOOK_DELIVERIES, count_deliveries
from planner.webhooks import network, services, signing
from planner.webhooks.addresses import AddressRefused
from planner.webhooks.models import Delivery

log = logging.getLogger(__name__)

MAX_WAIT = 6 * 3600.0  # seconds: no retry waits longer


class Outcome(enum.Enum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"


def outcome_of(status: int) -> Outcome:
    if 200 <= status < 300:
        return Outcome.SENT
    if status in {408, 429} or status >= 500:
        return Outcome.RETRY
    return Outcome.FAILED  # other 4xx: the receiver refuses this message; 3xx: not followed


def backoff(retries: int, retry_after: float | None = None) -> float:
    """Seconds before try `retries + 1`: the base, doubled each time (or the receiver's
    Retry-After if longer), at most six hours."""
    wait = settings.WEBHOOKS_RETRY_SECONDS * 2**retries
    return float(min(max(wait, retry_after or 0.0), MAX_WAIT))


@dataclass
class Result:
    sent: int = 0
    failed: int = 0
    not_pending: int = 0
    # Deliveries to try again: seconds to wait -> their ids.
    later: dict[float, list[int]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "failed": self.failed,
            "not_pending": self.not_pending,
            "later": sum(len(ids) for ids in self.later.values()),
        }


def send_batch(delivery_ids: list[int], now: datetime | None = None) -> Result:
    result = Result()
    for delivery_id in delivery_ids:
        send_one(delivery_id, result, now)
    return result


def _outcome_line(
    delivery: Delivery, attempts: int, outcome: str, status: int | None, **more: object
) -> None:
    """One line per delivery outcome: which delivery, endpoint, team and event, the status
    and try. Never the URL (a chat webhook's is a secret), the signing secret, the body
    or the receiver's answer (which can echo the body)."""
    fields: dict[str, object] = {
        "delivery_id": delivery.pk,
        "endpoint_id": delivery.endpoint_id,
        "team_id": delivery.endpoint.team_id,
        "event_type": delivery.event.type,
        "status": status,
        "attempt": attempts,
        **more,
    }
    text = " ".join(f"{name}={value}" for name, value in fields.items())
    level = {"sent": logging.INFO, "retry later": logging.WARNING}.get(outcome, logging.ERROR)
    log.log(level, "Webhook delivery %s: %s", outcome, text, extra={"outcome": outcome, **fields})


def send_one(delivery_id: int, result: Result, now: datetime | None = None) -> None:
    before = result.counts()
    channel = _send_one(delivery_id, result, now)
    if channel is not None:
        after = result.counts()
        change = {key: after[key] - before[key] for key in after}
        count_deliveries(WEBHOOK_DELIVERIES, change, channel=channel)


def _send_one(delivery_id: int, result: Result, now: datetime | None) -> str | None:
    """Send one delivery if it is still pending; its endpoint's kind, or None if not."""
    attempts = services.delivery_claim(delivery_id, now)
    if attempts is None:
        result.not_pending += 1
        return None
    delivery = Delivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    endpoint = delivery.endpoint
    headers = {}
    if not endpoint.is_chat:
        headers = signing.headers(
            endpoint.secret, delivery.event.message_id, delivery.body, now or timezone.now()
        )
    try:
        answer = network.post(endpoint.url, delivery.body, headers)
    except AddressRefused as error:
        services.delivery_failed(delivery_id, None, str(error))
        _outcome_line(delivery, attempts, "failed", None, error="address refused")
        result.failed += 1
        return endpoint.kind
    except network.HostNotFound as error:
        _try_later(delivery, attempts, None, str(error), None, result, now, "host not found")
        return endpoint.kind
    except httpx.TimeoutException:
        reason = _("No answer within %(seconds)s seconds.") % {
            "seconds": f"{settings.WEBHOOKS_TIMEOUT_SECONDS:g}"
        }
        _try_later(delivery, attempts, None, reason, None, result, now, "timeout")
        return endpoint.kind
    except httpx.HTTPError as error:
        _try_later(
            delivery,
            attempts,
            None,
            f"{type(error).__name__}: {error}",
            None,
            result,
            now,
            type(error).__name__,
        )
        return endpoint.kind
    outcome = outcome_of(answer.status)
    if outcome is Outcome.SENT:
        services.delivery_sent(delivery_id, answer.status, answer.text, now)
        _outcome_line(delivery, attempts, "sent", answer.status)
        result.sent += 1
    elif outcome is Outcome.FAILED:
        services.delivery_failed(delivery_id, answer.status, answer.text)
        _outcome_line(delivery, attempts, "failed", answer.status, error="refused")
        result.failed += 1
    else:
        _try_later(
            delivery, attempts, answer.status, answer.text, answer.retry_after, result, now, ""
        )
    return endpoint.kind


def _try_later(
    delivery: Delivery,
    attempts: int,
    status: int | None,
    answer: str,
    retry_after: float | None,
    result: Result,
    now: datetime | None,
    error: str,
) -> None:
    more = {"error": error} if error else {}
    if attempts > settings.WEBHOOKS_RETRIES:
        services.delivery_failed(delivery.pk, status, answer)
        _outcome_line(delivery, attempts, "failed, given up", status, **more)
        result.failed += 1
        return
    wait = backoff(attempts - 1, retry_after)
    at = (now or timezone.now()) + timedelta(seconds=wait)
    services.delivery_retry_later(delivery.pk, status, answer, at)
    _outcome_line(
        delivery,
        attempts,
        "retry later",
        status,
        **more,
        retries=settings.WEBHOOKS_RETRIES,
        next_try=at.isoformat(),
    )
    result.later.setdefault(wait, []).append(delivery.pk)
