"""The send task through Django's SMTP backend against a real SMTP peer (aiosmtpd in this
process): one connection a batch, and each SMTP error handled by what it means."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from planner.reminders import selectors, services
from planner.reminders.models import Delivery, DeliveryState
from planner.reminders.sending import send_batch
from planner.reminders.tasks import send_deliveries
from tests.factories import MembershipFactory
from tests.faults import free_port
from tests.progress.plans import running_plan

pytestmark = pytest.mark.django_db


class Recorder:
    """Accepts every message, except for the recipients it is told to refuse."""

    def __init__(self) -> None:
        self.message_ids: list[str] = []
        self.peers: set[Any] = set()  # one per connection that sent a message
        self.refuse: dict[str, str] = {}  # recipient -> the server's reply

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.message_ids.append(str(message_from_bytes(envelope.content)["Message-ID"]))
        self.peers.add(session.peer)
        return "250 OK"


def use_smtp(settings: Any, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


@pytest.fixture
def smtp(settings) -> Iterator[Recorder]:
    recorder = Recorder()
    port = free_port()
    # The server drops a session idle for a second, as real ones do after minutes.
    controller = Controller(recorder, hostname="127.0.0.1", port=port, timeout=1)
    controller.start()
    use_smtp(settings, port)
    yield recorder
    controller.stop()


def pending(team: Any, lead: Any, members: int = 0) -> list[int]:
    """The deliveries of a kick-off, recorded and not yet sent."""
    for _ in range(members):
        MembershipFactory.create(team=team)
    plan = running_plan(team, lead, day=1)
    services.dispatch(selectors.schedule_of(plan)[0].at)
    return list(Delivery.objects.order_by("pk").values_list("pk", flat=True))


def test_a_batch_goes_out_over_one_connection(smtp: Recorder, team, lead):
    ids = pending(team, lead, members=3)
    assert send_batch(ids).sent == 5
    assert len(smtp.message_ids) == 5
    assert len(smtp.peers) == 1


def test_a_connection_the_server_closed_meanwhile_is_reopened_without_a_retry(
    smtp: Recorder, team, lead, engineer
):
    first, second = pending(team, lead)
    assert send_deliveries.apply(args=([first],)).get()["sent"] == 1
    time.sleep(2)  # the server closes the idle session
    assert send_deliveries.apply(args=([second],)).get()["sent"] == 1
    delivery = Delivery.objects.get(pk=second)
    assert (delivery.state, delivery.attempts, delivery.reason) == (DeliveryState.SENT, 1, "")
    assert sorted(smtp.message_ids) == sorted(
        d.message_id for d in Delivery.objects.filter(pk__in=[first, second])
    )


def test_a_refusal_for_good_fails_and_one_for_now_retries_on_the_same_connection(
    smtp: Recorder, settings, team, lead, engineer
):
    settings.REMINDER_RETRY_SECONDS = 60
    refused = MembershipFactory.create(team=team).user
    smtp.refuse = {
        refused.email: "550 5.1.1 No such user",
        engineer.email: "451 4.7.1 Greylisted, try again later",
    }
    ids = pending(team, lead)
    result = send_batch(ids)
    assert (result.sent, result.failed) == (1, 1)
    states = {d.email: (d.state, d.reason) for d in Delivery.objects.filter(pk__in=ids)}
    assert states[lead.email] == (DeliveryState.SENT, "")
    assert states[refused.email][0] == DeliveryState.FAILED
    assert "No such user" in states[refused.email][1]
    assert states[engineer.email][0] == DeliveryState.PENDING
    assert "Greylisted" in states[engineer.email][1]
    waiting = Delivery.objects.get(email=engineer.email)
    assert dict(result.later) == {60.0: [waiting.pk]}
    smtp.refuse = {}
    assert send_batch([waiting.pk]).sent == 1


class Hangup:
    """A server that takes each connection and closes it at once: the session is lost."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def stop(self) -> None:
        self.listener.close()
        self.thread.join(timeout=5)


def test_a_lost_connection_is_tried_once_for_the_whole_batch(settings, team, lead):
    settings.REMINDER_RETRY_SECONDS = 60
    server = Hangup()
    use_smtp(settings, server.port)
    try:
        ids = pending(team, lead, members=2)
        result = send_batch(ids)
    finally:
        server.stop()
    assert server.connections == 1  # not once for every email
    assert (result.sent, sorted(result.later[60.0])) == (0, sorted(ids))
    rows = Delivery.objects.filter(pk__in=ids)
    assert {(d.state, d.attempts) for d in rows} == {(DeliveryState.PENDING, 1)}
    assert all(d.reason.startswith("SMTPServerDisconnected") for d in rows)


def test_an_address_the_mail_stack_cannot_write_fails_that_delivery_alone(
    smtp: Recorder, team, lead
):
    broken = MembershipFactory.create(team=team).user
    type(broken).objects.filter(pk=broken.pk).update(email="broken@two@example.org")
    ids = pending(team, lead)
    result = send_batch(ids)
    assert (result.sent, result.failed) == (2, 1)
    refused = Delivery.objects.get(email="broken@two@example.org")
    assert refused.state == DeliveryState.FAILED
    assert refused.reason.startswith("ValueError: Invalid address")
    assert len(smtp.message_ids) == 2
