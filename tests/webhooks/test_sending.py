"""Retries with a doubling wait for 5xx, 408, 429 and no answer; other 4xx fail at once
with the answer for the lead; an address that turned private is refused at delivery."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from planner.progress import services as progress
from planner.webhooks import network, sending
from planner.webhooks.models import Delivery, DeliveryState
from planner.webhooks.tasks import dispatch_due
from tests.faults import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(plan, lead, endpoint) -> Delivery:
    """A task.done delivery, recorded and waiting (its on-commit hook did not run)."""
    from planner.plans.models import Activity
    from planner.webhooks.dispatch import events_from_activity

    task = plan.tasks.order_by("day", "pk").first()
    progress.task_complete(task_id=task.pk, user=lead)
    [delivery_id] = events_from_activity(Activity.objects.get(kind="done").pk)
    return Delivery.objects.get(pk=delivery_id)


def send(delivery: Delivery) -> sending.Result:
    return sending.send_batch([delivery.pk])


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429])
def test_a_passing_refusal_is_tried_again_later(delivery, receiver, status):
    receiver.answer(status, "busy, come back later")
    result = send(delivery)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.status_code, delivery.answer) == (
        "pending",
        status,
        "busy, come back later",
    )
    assert list(result.later) == [30.0]  # WEBHOOKS_RETRY_SECONDS, then doubled
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=25)


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422, 301])
def test_any_other_refusal_fails_at_once_with_the_answer(delivery, receiver, status):
    receiver.answer(status, "no such hook")
    send(delivery)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.status_code, delivery.attempts) == ("failed", status, 1)
    assert delivery.answer == "no such hook"


def test_the_wait_doubles_until_the_last_try_fails(delivery, receiver, settings):
    settings.WEBHOOKS_RETRIES = 3
    waits = []
    moment = timezone.now()
    for _try in range(4):
        receiver.answer(503, "down")
        with time_machine.travel(moment):
            result = send(delivery)
        waits += list(result.later)
        delivery.refresh_from_db()
        moment = delivery.next_attempt_at
    assert waits == [30.0, 60.0, 120.0]
    assert (delivery.state, delivery.attempts, delivery.status_code) == ("failed", 4, 503)
    assert len(receiver.at("/hook")) == 4


def test_a_longer_retry_after_is_respected(delivery, receiver):
    receiver.answer(429, "slow down", **{"Retry-After": "600"})
    assert list(send(delivery).later) == [600.0]


def test_a_retry_is_not_sent_before_its_time(delivery, receiver):
    receiver.answer(500, "oops")
    send(delivery)
    assert send(delivery).not_pending == 1  # a task that ran early: the sweep has it later
    assert len(receiver.at("/hook")) == 1


def test_no_answer_is_tried_again(delivery):
    # The endpoint moves to a port nobody serves.
    delivery.endpoint.url = f"http://127.0.0.1:{free_port()}/hook"
    delivery.endpoint.save()
    result = send(delivery)
    delivery.refresh_from_db()
    assert delivery.state == "pending"
    assert delivery.status_code is None
    assert "ConnectError" in delivery.answer
    assert result.later


def test_a_slow_server_times_out_and_is_tried_again(delivery, settings):
    import socket

    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.3
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts the connection, never answers
    try:
        delivery.endpoint.url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
        delivery.endpoint.save()
        send(delivery)
    finally:
        silent.close()
    delivery.refresh_from_db()
    assert delivery.state == "pending"
    assert delivery.answer == "No answer within 0.3 seconds."


def test_a_host_that_turned_private_is_refused_at_delivery(
    delivery, receiver, settings, monkeypatch
):
    """DNS rebinding: public at registration, loopback when the message goes out."""
    import ipaddress

    settings.WEBHOOKS_ALLOW_PRIVATE = False
    delivery.endpoint.url = "https://hooks.example.org/planner"
    delivery.endpoint.save()
    monkeypatch.setattr(network, "resolve", lambda host, port: [ipaddress.ip_address("127.0.0.1")])
    send(delivery)
    delivery.refresh_from_db()
    assert delivery.state == "failed"
    assert "private or reserved address (127.0.0.1)" in delivery.answer
    assert receiver.received == []


def test_a_plain_http_endpoint_is_refused_at_delivery_in_production(delivery, receiver, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    send(delivery)
    delivery.refresh_from_db()
    assert delivery.state == "failed"
    assert "https://" in delivery.answer
    assert receiver.received == []


def test_the_sweep_resends_a_delivery_whose_worker_died(
    delivery, receiver, django_capture_on_commit_callbacks
):
    from planner.webhooks import services

    assert services.delivery_claim(delivery.pk) == 1  # then the worker died
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_due()["unstuck"] == 0  # not yet: it may still be sending
    later = timezone.now() + timedelta(minutes=4)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        counts = dispatch_due()
    assert counts["unstuck"] == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENT, 2)
    [got] = receiver.at("/hook")
    assert got.verified


def test_the_sweep_sends_a_retry_whose_task_was_lost(
    delivery, receiver, django_capture_on_commit_callbacks
):
    receiver.answer(500, "oops")
    send(delivery)  # its retry task is lost with the broker
    delivery.refresh_from_db()
    later = delivery.next_attempt_at + timedelta(minutes=4)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert dispatch_due()["requeued"] == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert len(receiver.at("/hook")) == 2
    first, second = receiver.at("/hook")
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
