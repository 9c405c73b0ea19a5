"""Writes for webhooks: endpoints (register, pause, delete, new secret, connect a chat
channel) and a delivery's state (claim, sent, retry later, failed, send again).

These services never queue tasks: they return the deliveries to send, and `tasks` queues
them. A delivery moves pending -> sending -> sent or failed by conditional UPDATEs, so
however many workers run for it, one sends it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from planner.accounts.models import User
from planner.teams.models import Team
from planner.webhooks.addresses import AddressRefused
from planner.webhooks.events import WEBHOOK_EVENTS
from planner.webhooks.models import Delivery, DeliveryState, Endpoint, EndpointKind
from planner.webhooks.network import HostNotFound, check_url
from planner.webhooks.signing import new_secret

MAX_ENDPOINTS = 10  # webhook endpoints per team
ANSWER_LIMIT = 300  # characters of an answer kept for the lead


class WebhookRuleError(Exception):
    """A rule refused a change; `field` names the input it is about, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _check_url(url: str) -> str:
    url = url.strip()
    try:
        check_url(url)
    except (AddressRefused, HostNotFound) as error:
        raise WebhookRuleError(str(error), field="url") from None
    return url


def endpoint_create(
    *,
    team: Team,
    user: User,
    url: str,
    description: str,
    events: Iterable[str],
    now: datetime | None = None,
) -> tuple[Endpoint, str]:
    """Register a webhook endpoint; returns it and its signing secret, to show once."""
    chosen = [e.value for e in WEBHOOK_EVENTS if e.value in set(events)]
    if not chosen:
        raise WebhookRuleError(_("Choose at least one event."), field="events")
    url = _check_url(url)
    with transaction.atomic():
        Team.objects.select_for_update().filter(pk=team.pk).first()  # counts one at a time
        if Endpoint.objects.filter(team=team, kind=EndpointKind.WEBHOOK).count() >= MAX_ENDPOINTS:
            raise WebhookRuleError(
                _("A team can have %(count)s webhook endpoints; delete one first.")
                % {"count": MAX_ENDPOINTS}
            )
        secret = new_secret()
        endpoint = Endpoint.objects.create(
            team=team,
            kind=EndpointKind.WEBHOOK,
            url=url,
            description=description.strip()[:200],
            events=chosen,
            secret=secret,
            created_by=user,
            created_at=now or timezone.now(),
        )
    return endpoint, secret


def endpoint_rotate_secret(*, endpoint: Endpoint) -> str:
    """A new signing secret; the old one stops at once (messages already being retried
    are signed with the new one)."""
    if endpoint.is_chat:
        raise WebhookRuleError(_("Chat channels have no signing secret."))
    secret = new_secret()
    Endpoint.objects.filter(pk=endpoint.pk).update(secret=secret)
    endpoint.secret = secret
    return secret


def endpoint_set_active(*, endpoint: Endpoint, active: bool) -> list[int]:
    """Pause or resume an endpoint. A paused one gets no new events and its waiting
    deliveries wait; resumed, they are returned to send."""
    Endpoint.objects.filter(pk=endpoint.pk).update(active=active)
    endpoint.active = active
    if not active:
        return []
    return list(
        Delivery.objects.filter(endpoint=endpoint, state=DeliveryState.PENDING).values_list(
            "pk", flat=True
        )
    )


def endpoint_delete(*, endpoint: Endpoint) -> None:
    endpoint.delete()  # its deliveries with it


def chat_connect(
    *,
    team: Team,
    user: User,
    kind: EndpointKind,
    url: str,
    digest_weekday: int | None,
    now: datetime | None = None,
) -> Endpoint:
    """Connect (or change) the team's Slack or Teams channel: its incoming webhook URL and
    the weekday of its weekly digest (None: none)."""
    if kind == EndpointKind.WEBHOOK:
        raise WebhookRuleError(_("Choose Slack or Microsoft Teams."), field="kind")
    url = _check_url(url)
    with transaction.atomic():
        endpoint, created = Endpoint.objects.select_for_update().get_or_create(
            team=team,
            kind=kind,
            defaults={
                "url": url,
                "digest_weekday": digest_weekday,
                "created_by": user,
                "created_at": now or timezone.now(),
            },
        )
        if not created:
            endpoint.url, endpoint.digest_weekday = url, digest_weekday
            endpoint.save(update_fields=["url", "digest_weekday"])
    return endpoint


# --- A delivery's state ------------------------------------------------------------------

_DELIVERY = Delivery._meta.db_table
# A retry task may run a little before its time (clocks of workers differ); one that runs
# earlier than this leaves the delivery to the sweep.
EARLY = timedelta(seconds=5)
_ENDPOINT = Endpoint._meta.db_table


def delivery_claim(delivery_id: int, now: datetime | None = None) -> int | None:
    """Take a pending delivery of an active endpoint whose time has come for sending: one
    conditional UPDATE, so however many workers run for it, one wins. Its attempts so far
    (this one included), or None if it was not there to take."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_DELIVERY} SET state = %s, claimed_at = %s, attempts = attempts + 1 "  # noqa: S608 # names, not input
            "WHERE id = %s AND state = %s AND next_attempt_at <= %s AND endpoint_id IN "
            f"(SELECT id FROM {_ENDPOINT} WHERE active) RETURNING attempts",
            [
                DeliveryState.SENDING,
                _stamp(now),
                delivery_id,
                DeliveryState.PENDING,
                _stamp((now or timezone.now()) + EARLY),
            ],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _stamp(now: datetime | None) -> Any:  # what the database driver takes
    return connection.ops.adapt_datetimefield_value(now or timezone.now())


def delivery_sent(delivery_id: int, status: int, answer: str, now: datetime | None = None) -> None:
    Delivery.objects.filter(pk=delivery_id, state=DeliveryState.SENDING).update(
        state=DeliveryState.SENT,
        sent_at=now or timezone.now(),
        status_code=status,
        answer=answer[:ANSWER_LIMIT],
    )


def delivery_retry_later(delivery_id: int, status: int | None, answer: str, at: datetime) -> None:
    """This attempt failed for now: back to pending, with what it got, until `at`."""
    Delivery.objects.filter(pk=delivery_id, state=DeliveryState.SENDING).update(
        state=DeliveryState.PENDING,
        status_code=status,
        answer=answer[:ANSWER_LIMIT],
        next_attempt_at=at,
    )


def delivery_failed(delivery_id: int, status: int | None, answer: str) -> None:
    """Refused for good, or the last try failed: the lead sees it with the answer."""
    Delivery.objects.filter(pk=delivery_id, state=DeliveryState.SENDING).update(
        state=DeliveryState.FAILED, status_code=status, answer=answer[:ANSWER_LIMIT]
    )


def delivery_resend(*, delivery: Delivery, now: datetime | None = None) -> list[int]:
    """The lead asks to send a failed (or sent) delivery again: the same message, with
    fresh tries. The ids to send (none if it is waiting or being sent anyway)."""
    changed = Delivery.objects.filter(
        pk=delivery.pk, state__in=[DeliveryState.FAILED, DeliveryState.SENT]
    ).update(state=DeliveryState.PENDING, attempts=0, next_attempt_at=now or timezone.now())
    return [delivery.pk] if changed else []
