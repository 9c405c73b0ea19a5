"""With the broker down, work that needs it says "not now" and loses nothing; once the
broker answers, the same request queues. The broker is a Redis this test starts on a free
port (tests/faults.py), never the shared one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis as redis_client
from django.test import Client

from planner.celery import app as celery_app
from planner.plans.models import Plan
from planner.reminders.models import Delivery, DeliveryState, Reminder, ReminderState
from tests.faults import RedisServer
from tests.progress.plans import running_plan

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def broker() -> Iterator[RedisServer]:
    """Celery publishing to the drill's Redis for real (not eagerly), quickly failing."""
    server = RedisServer()
    saved = {k: celery_app.conf[k] for k in ("task_always_eager", "broker_url")}
    celery_app.conf.update(task_always_eager=False, broker_url=server.url)
    _fresh_connections()
    yield server
    celery_app.conf.update(saved)
    _fresh_connections()
    server.remove()


def _fresh_connections() -> None:
    """Forget the app's connection and producer pools, so that the next publish builds them
    for the URL now set. They are not closed: kombu's registry may hand them out again for
    their own URL, and a closed pool there breaks every later test of this process."""
    app: Any = celery_app  # the pools are private attributes Celery's types leave out
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def plan(team, lead) -> Plan:
    return running_plan(team, lead, day=10)


def _queued(server: RedisServer) -> int:
    return int(redis_client.Redis.from_url(server.url).llen("celery"))


def test_test_reminder_with_the_broker_down_says_not_now_then_works(
    client: Client, broker, lead, team, plan
):
    client.force_login(lead)
    url = f"/teams/{team.slug}/plans/{plan.pk}/reminders/test/"
    down = client.post(url, {"key": "phase-2"}, follow=True)
    assert down.status_code == 200
    assert "The task queue is not answering, so nothing was sent." in down.content.decode()
    broker.start()
    up = client.post(url, {"key": "phase-2"}, follow=True)
    assert f"A test reminder is on its way to {lead.email}." in up.content.decode()
    assert _queued(broker) == 1


@pytest.mark.django_db(transaction=True)  # the tasks are queued when the marking commits
def test_retrying_failed_reminders_with_the_broker_down_keeps_them_marked(
    client: Client, broker, lead, team, plan
):
    reminder = Reminder.objects.create(
        plan=plan, key="phase-2", due_at=plan.started_at, state=ReminderState.DISPATCHED
    )
    Delivery.objects.create(
        reminder=reminder, user=lead, email=lead.email, state=DeliveryState.FAILED
    )
    client.force_login(lead)
    url = f"/teams/{team.slug}/plans/{plan.pk}/reminders/retry/"
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "they go out on their own once it does" in response.content.decode()
    # Nothing lost: marked to go again, for the sweeper to queue once the broker answers.
    assert Delivery.objects.get().state == DeliveryState.PENDING
    broker.start()
    Delivery.objects.update(state=DeliveryState.FAILED)
    client.post(url)
    assert _queued(broker) == 1
