"""What the worker counts: reminders sent with their lag, Celery task outcomes; the cache's
calls; and the state gauges when the database or the broker cannot be read."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import timedelta
from ipaddress import ip_network

import pytest
import time_machine
from django.core import mail
from django.db import connection

from planner.celery import app
from planner.core.cache import FallbackRedisCache
from planner.observability import task_metrics
from planner.observability.collectors import BrokerCollector, DatabaseCollector
from planner.reminders import selectors, tasks
from planner.reminders.models import Delivery, DeliveryState
from planner.reminders.services import dispatch, opt_out
from tests.faults import free_port
from tests.observability.metrics import current, value
from tests.progress.plans import running_plan

LAG = "planner_reminder_dispatch_lag_seconds"


SENT = "planner_reminder_deliveries_total"


@pytest.mark.django_db
def test_a_sent_reminder_is_counted_with_its_lag(
    before_the_reminder_hour, settings, team, lead, engineer
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    plan = running_plan(team, lead, day=1)
    kickoff = next(d.at for d in selectors.schedule_of(plan) if d.boundary.key == "kickoff")
    opt_out(engineer, team)  # one of the two members: a skipped delivery
    before = current()
    dispatch(kickoff)
    pending = list(
        Delivery.objects.filter(state=DeliveryState.PENDING).values_list("pk", flat=True)
    )
    assert len(pending) == 1
    with time_machine.travel(kickoff + timedelta(minutes=7), tick=False):
        tasks.send_deliveries.apply(args=[pending])
    assert len(mail.outbox) == 1
    after = current()
    assert value(after, SENT, outcome="sent") == value(before, SENT, outcome="sent") + 1
    # Seven minutes late: in the 10-minute bucket, not in the 5-minute one.
    assert value(after, f"{LAG}_count") == value(before, f"{LAG}_count") + 1
    assert (
        value(after, f"{LAG}_bucket", le="600.0") == value(before, f"{LAG}_bucket", le="600.0") + 1
    )
    assert value(after, f"{LAG}_bucket", le="300.0") == value(before, f"{LAG}_bucket", le="300.0")
    assert value(after, f"{LAG}_sum") == pytest.approx(value(before, f"{LAG}_sum") + 420)
    # The task itself, by name and outcome.
    runs = "planner_celery_tasks_total"
    labels = {"task": "planner.reminders.send_batch", "outcome": "succeeded"}
    assert value(after, runs, **labels) == value(before, runs, **labels) + 1


@pytest.mark.django_db(transaction=True)
def test_a_delivery_skipped_at_dispatch_is_counted_once_committed(
    before_the_reminder_hour, team, lead, engineer
):
    plan = running_plan(team, lead, day=1)
    kickoff = next(d.at for d in selectors.schedule_of(plan) if d.boundary.key == "kickoff")
    opt_out(engineer, team)
    before = value(current(), SENT, outcome="skipped")
    dispatch(kickoff)
    assert value(current(), SENT, outcome="skipped") == before + 1
    dispatch(kickoff)  # nothing new to record: nothing counted
    assert value(current(), SENT, outcome="skipped") == before + 1


@app.task(name="planner.tests.explodes")
def explodes() -> None:
    raise RuntimeError("boom")


def test_a_failing_task_is_counted_as_failed():
    runs = "planner_celery_tasks_total"
    before = current()
    explodes.apply(throw=False)
    after = current()
    assert value(after, runs, task="planner.tests.explodes", outcome="failed") == 1 + value(
        before, runs, task="planner.tests.explodes", outcome="failed"
    )
    duration = "planner_celery_task_duration_seconds_count"
    assert value(after, duration, task="planner.tests.explodes") == 1 + value(
        before, duration, task="planner.tests.explodes"
    )


def test_the_worker_serves_its_metrics_to_the_scraper_only(settings):
    settings.METRICS_TOKEN = "w" * 40
    settings.METRICS_ALLOWED_NETWORKS = []
    server = task_metrics.serve("127.0.0.1", 0)
    try:
        url = f"http://127.0.0.1:{server.server_port}/metrics"
        request = urllib.request.Request(url, headers={"Authorization": "Bearer " + "w" * 40})
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - loopback
            body = answer.read().decode()
        assert "planner_celery_tasks_total" in body or "planner_celery_tasks" in body
        assert "planner_plans" not in body  # the state gauges are web's
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=5)
        assert refused.value.code == 404
        settings.METRICS_ALLOWED_NETWORKS = [ip_network("127.0.0.0/8")]
        with urllib.request.urlopen(url, timeout=5) as answer:
            assert answer.status == 200
    finally:
        server.shutdown()
        server.server_close()


def test_cache_calls_are_counted_and_a_dead_redis_is_a_fallback():
    dead = FallbackRedisCache(f"redis://127.0.0.1:{free_port()}/0", {})
    requests = "planner_cache_requests_total"
    before = current()
    assert dead.get("nothing") is None
    dead.set("key", "value")
    assert dead.get("key") == "value"  # from the process's memory
    after = current()
    assert value(after, requests, operation="get", result="miss") == 1 + value(
        before, requests, operation="get", result="miss"
    )
    assert value(after, requests, operation="get", result="hit") == 1 + value(
        before, requests, operation="get", result="hit"
    )
    assert value(after, requests, operation="set", result="fallback") == 1 + value(
        before, requests, operation="set", result="fallback"
    )
    seconds = "planner_cache_duration_seconds_count"
    assert value(after, seconds, operation="get") == 2 + value(before, seconds, operation="get")


def test_a_broker_that_is_down_is_a_gauge_not_an_error(settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    families = {family.name: family for family in BrokerCollector().collect()}
    assert families["planner_broker_up"].samples[0].value == 0
    assert "planner_celery_queue_length" not in families


@pytest.mark.redis
def test_the_queue_length_is_read_from_the_broker(settings):
    import redis

    from tests.servers import REDIS_URL

    settings.CELERY_BROKER_URL = REDIS_URL
    client = redis.Redis.from_url(REDIS_URL)
    client.delete("celery")
    try:
        families = {family.name: family for family in BrokerCollector().collect()}
        assert families["planner_celery_queue_length"].samples[0].value == 0
        client.lpush("celery", "{}", "{}", "{}")
        families = {family.name: family for family in BrokerCollector().collect()}
        assert families["planner_broker_up"].samples[0].value == 1
        sample = families["planner_celery_queue_length"].samples[0]
        assert (sample.labels, sample.value) == ({"queue": "celery"}, 3)
    finally:
        client.delete("celery")


@pytest.mark.django_db
def test_a_database_that_cannot_be_read_is_a_gauge_not_an_error(team, lead):
    running_plan(team, lead, day=3)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE plans_plan RENAME TO plans_plan_away")
    try:
        families = {family.name: family for family in DatabaseCollector().collect()}
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE plans_plan_away RENAME TO plans_plan")
    assert families["planner_database_up"].samples[0].value == 0
    assert "planner_plans" not in families


@pytest.mark.django_db
def test_the_oldest_due_boundary_says_how_long_dispatch_has_waited(team, lead):
    plan = running_plan(team, lead, day=1)
    due = plan.next_reminder_at
    assert due is not None
    late = {f.name: f for f in DatabaseCollector(now=due + timedelta(minutes=20)).collect()}
    assert late["planner_reminder_oldest_due_seconds"].samples[0].value == 1200
    dispatch(due)
    plan.refresh_from_db()
    assert plan.next_reminder_at is not None
    after = {
        f.name: f
        for f in DatabaseCollector(now=plan.next_reminder_at - timedelta(seconds=1)).collect()
    }
    assert after["planner_reminder_oldest_due_seconds"].samples[0].value == 0
