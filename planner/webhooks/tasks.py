"""Celery tasks, and the one module that queues webhook work: beat runs `dispatch`; a feed
entry queues `record_activity` when its transaction commits; `send_deliveries` sends.

Tasks take ids, are safe to run twice (the ledger decides who sends) and are acknowledged
only after they ran (`acks_late`). A task the broker did not take is not lost: `dispatch`
finds the feed entry without its event, or the delivery still pending, and queues it.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from celery import Task, shared_task
from django.db import transaction
from django.utils import timezone

from planner.reminders.tasks import IDEMPOTENT, QueueUnavailable, publish
from planner.webhooks import dispatch as ledger
from planner.webhooks import sending, services
from planner.webhooks.models import Delivery, Endpoint, EndpointKind

log = logging.getLogger(__name__)

SEND_BATCH = 20  # deliveries per send task (each waits at most the timeout)


def enqueue(delivery_ids: Sequence[int]) -> None:
    """Queue send tasks for these deliveries once the transaction commits; a broker that
    is down leaves them pending for the next dispatch."""
    for start in range(0, len(delivery_ids), SEND_BATCH):
        batch = list(delivery_ids[start : start + SEND_BATCH])
        transaction.on_commit(functools.partial(_publish_quietly, send_deliveries, batch))


def _publish_quietly(task: Any, *args: Any) -> None:
    with contextlib.suppress(QueueUnavailable):  # logged; the next dispatch queues it
        publish(task, *args)


def activity_committed(activity_id: int, plan_id: int) -> None:
    """A feed entry that may make events was committed: look at it in a task, if the
    plan's team has an active webhook. Most teams have none: for them a tick costs one
    indexed query instead of a message to the broker and a worker's look at it."""
    if Endpoint.objects.filter(
        team__plans=plan_id, active=True, kind=EndpointKind.WEBHOOK
    ).exists():
        _publish_quietly(record_activity, activity_id)


def dispatch_due(now: datetime | None = None) -> dict[str, int]:
    """Everything beat does: missed feed entries, due boundaries and digests, lost
    deliveries; queue what is to send."""
    now = now or timezone.now()
    missed = ledger.sweep_activities(now)
    boundaries = ledger.dispatch_boundaries(now)
    digests = ledger.dispatch_digests(now)
    swept = ledger.sweep_deliveries(now)
    enqueue(sorted(set(missed + boundaries + digests + swept.to_send)))
    return {
        "missed": len(missed),
        "boundaries": len(boundaries),
        "digests": len(digests),
        "unstuck": swept.unstuck,
        "requeued": swept.requeued,
    }


def resend(delivery: Delivery) -> int:
    ids = services.delivery_resend(delivery=delivery)
    enqueue(ids)
    return len(ids)


def resume(endpoint: Endpoint, active: bool) -> None:
    enqueue(services.endpoint_set_active(endpoint=endpoint, active=active))


@shared_task(name="planner.webhooks.dispatch", ignore_result=True, **IDEMPOTENT)
def dispatch() -> dict[str, int]:
    counts = dispatch_due()
    if any(counts.values()):
        log.info("Webhooks dispatched: %s", counts)
    return counts


@shared_task(name="planner.webhooks.record_activity", ignore_result=True, **IDEMPOTENT)
def record_activity(activity_id: int) -> None:
    with transaction.atomic():
        enqueue(ledger.events_from_activity(activity_id))


@shared_task(name="planner.webhooks.send", bind=True, ignore_result=True, **IDEMPOTENT)
def send_deliveries(self: Task[Any, Any], delivery_ids: list[int]) -> dict[str, int]:
    """Send the pending ones of these deliveries; queue those to try again after their
    wait, on the queue this batch came from."""
    result = sending.send_batch(delivery_ids)
    queue = (self.request.delivery_info or {}).get("routing_key")
    route: dict[str, Any] = {"queue": queue} if queue else {}
    for wait, ids in result.later.items():
        send_deliveries.apply_async((ids,), countdown=wait, **route)
    return result.counts()
