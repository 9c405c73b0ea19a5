"""On the real PostgreSQL: two dispatchers at once still deliver each message once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection

from planner.plans.models import Activity
from planner.webhooks import sending
from planner.webhooks.models import Delivery, Endpoint, Event
from planner.webhooks.tasks import dispatch_due
from tests.integration.threads import run_at_once
from tests.progress.plans import running_plan

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def two_endpoints_and_ticks(team, lead, receiver, ticks: int = 3) -> datetime:
    """Ticks recorded while no endpoint listened yet (so nothing was sent on commit),
    then two endpoints that existed before them: the dispatchers find them all. Returns
    the moment the endpoints date from, a minute before the plan started."""
    from planner.progress import services as progress

    plan = running_plan(team, lead)
    assert plan.started_at is not None
    start = plan.started_at - timedelta(minutes=1)
    for task in plan.tasks.order_by("pk")[:ticks]:
        progress.task_complete(task_id=task.pk, user=lead, now=start + timedelta(seconds=1))
    for path in ("/one", "/two"):
        Endpoint.objects.create(
            team=team,
            kind="webhook",
            url=receiver.url(path),
            events=["task.done"],
            secret=SECRET,
            created_at=start,
        )
        receiver.secrets[path] = SECRET
    return start


@pytest.mark.parametrize("repeat", range(3))
def test_two_dispatchers_at_once_deliver_once(team, lead, receiver, repeat):
    assert connection.vendor == "postgresql"
    start = two_endpoints_and_ticks(team, lead, receiver)
    with time_machine.travel(start + timedelta(minutes=3)):
        outcomes = run_at_once(dispatch_due, dispatch_due)
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert Event.objects.filter(type="task.done").count() == 3
    assert Delivery.objects.filter(state="sent").count() == 6
    assert len(receiver.at("/one")) == 3
    assert len(receiver.at("/two")) == 3
    assert all(r.verified for r in receiver.received)


def test_two_senders_of_the_same_batch_send_each_once(team, lead, receiver):
    two_endpoints_and_ticks(team, lead, receiver, ticks=5)
    from planner.webhooks.dispatch import events_from_activity

    ids = [i for a in Activity.objects.filter(kind="done") for i in events_from_activity(a.pk)]
    assert len(ids) == 10
    outcomes = run_at_once(lambda: sending.send_batch(ids), lambda: sending.send_batch(ids))
    results = [r for r in outcomes if isinstance(r, sending.Result)]
    assert len(results) == 2, outcomes
    assert sum(r.sent for r in results) == 10
    assert sum(r.not_pending for r in results) == 10
    assert len(receiver.received) == 10
