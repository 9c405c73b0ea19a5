"""What is read at scrape time: the state of plans, tasks, the reminder ledger and the
Celery queue, right however many web and worker processes there are.

Each part that cannot be read (the database or the broker down) is left out and its
`planner_*_up` gauge says 0; a scrape never fails because of it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from planner.plans.models import Plan, PlanStatus, PlanTask, TaskStatus
from planner.reminders.models import Delivery as ReminderDelivery
from planner.reminders.models import DeliveryState as ReminderState
from planner.webhooks.models import Delivery as WebhookDelivery
from planner.webhooks.models import DeliveryState as WebhookState

logger = logging.getLogger(__name__)

BROKER_TIMEOUT = 2  # seconds: a scrape must answer before Prometheus' own timeout


# Every gauge read at scrape time: name -> (help, labels).
GAUGES: dict[str, tuple[str, list[str]]] = {
    "planner_database_up": ("Whether the last scrape could read the database (1) or not.", []),
    "planner_plans": ("Plans by status.", ["status"]),
    "planner_plan_tasks": (
        "Tasks of running (active) plans by status: their sum is the work in the plans, "
        "done and skipped over the sum their progress.",
        ["status"],
    ),
    "planner_reminder_oldest_due_seconds": (
        "Seconds since the earliest phase boundary that is due but not yet dispatched "
        "(0 when none waits). Beat dispatches every REMINDER_DISPATCH_MINUTES: a value "
        "well above that means beat or the worker is not running.",
        [],
    ),
    "planner_deliveries_waiting": (
        "Reminder emails and webhook or chat messages not yet sent, by ledger and state "
        "(pending: queued or waiting for a retry; sending: claimed by a worker).",
        ["ledger", "state"],
    ),
    "planner_broker_up": ("Whether the last scrape could reach the Celery broker (1).", []),
    "planner_celery_queue_length": ("Tasks waiting in a Celery queue for a worker.", ["queue"]),
}


def gauge(name: str) -> GaugeMetricFamily:
    documentation, labels = GAUGES[name]
    return GaugeMetricFamily(name, documentation, labels=labels)


class DatabaseCollector(Collector):
    """Plans by status, the tasks of running plans by status, and what waits to be sent."""

    NAMES = (
        "planner_database_up",
        "planner_plans",
        "planner_plan_tasks",
        "planner_reminder_oldest_due_seconds",
        "planner_deliveries_waiting",
    )

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return (gauge(name) for name in self.NAMES)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = gauge("planner_database_up")
        try:
            with transaction.atomic():  # a failed read leaves the connection usable
                families = list(self._families(self.now or timezone.now()))
        except Exception:
            logger.exception("Metrics: the database could not be read")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self, now: datetime) -> Iterator[GaugeMetricFamily]:
        plans = gauge("planner_plans")
        counts = dict(Plan.objects.values_list("status").annotate(n=Count("*")).order_by())
        for status in PlanStatus.values:
            plans.add_metric([status], counts.get(status, 0))
        yield plans

        tasks = gauge("planner_plan_tasks")
        counts = dict(
            PlanTask.objects.filter(plan__status=PlanStatus.ACTIVE)
            .values_list("status")
            .annotate(n=Count("*"))
            .order_by()
        )
        for status in TaskStatus.values:
            tasks.add_metric([status], counts.get(status, 0))
        yield tasks

        oldest = (
            Plan.objects.filter(status=PlanStatus.ACTIVE, next_reminder_at__lte=now)
            .aggregate(at=Min("next_reminder_at"))
            .get("at")
        )
        waited = gauge("planner_reminder_oldest_due_seconds")
        waited.add_metric([], max((now - oldest).total_seconds(), 0.0) if oldest else 0.0)
        yield waited

        waiting = gauge("planner_deliveries_waiting")
        for ledger, model, states in (
            ("reminder", ReminderDelivery, (ReminderState.PENDING, ReminderState.SENDING)),
            ("webhook", WebhookDelivery, (WebhookState.PENDING, WebhookState.SENDING)),
        ):
            counts = dict(
                model.objects.filter(state__in=states)
                .values_list("state")
                .annotate(n=Count("*"))
                .order_by()
            )
            for state in states:
                waiting.add_metric([ledger, state], counts.get(state, 0))
        yield waiting


class BrokerCollector(Collector):
    """Messages waiting in the Celery queue: tasks no worker has taken yet."""

    NAMES = ("planner_broker_up", "planner_celery_queue_length")

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return (gauge(name) for name in self.NAMES)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from planner.celery import app

        up = gauge("planner_broker_up")
        queue = app.conf.task_default_queue
        try:
            with app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
                connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)
                length = queue_length(connection.default_channel, queue)
        except Exception:
            logger.exception("Metrics: the broker could not be read")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        family = gauge("planner_celery_queue_length")
        family.add_metric([queue], length)
        yield family


def queue_length(channel: object, queue: str) -> int:
    """Messages in `queue`; a queue nobody declared yet holds none."""
    from kombu.exceptions import ChannelError

    try:
        _, count, _ = channel.queue_declare(queue=queue, passive=True)  # type: ignore[attr-defined]
    except ChannelError:
        return 0
    return int(count)
