"""The send task against a real SMTP peer (aiosmtpd in this process)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from planner.reminders import services
from planner.reminders.emails import ReminderEmail, ReminderMail, boundary_of
from planner.reminders.models import Delivery, DeliveryState
from planner.reminders.sending import send
from planner.reminders.tasks import send_deliveries
from tests.progress.plans import running_plan

pytestmark = pytest.mark.django_db


class Recorder:
    def __init__(self) -> None:
        self.message_ids: list[str] = []
        self.contents: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.message_ids.append(str(message_from_bytes(envelope.content)["Message-ID"]))
        self.contents.append(envelope.content)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp(settings) -> Iterator[Recorder]:
    recorder = Recorder()
    port = free_port()
    # The server drops a session idle for a second, as real ones do after minutes.
    controller = Controller(recorder, hostname="127.0.0.1", port=port, timeout=1)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield recorder
    controller.stop()


def test_a_connection_the_server_closed_meanwhile_is_reopened_without_a_retry(
    smtp: Recorder, team, lead, engineer
):
    plan = running_plan(team, lead, day=1)
    services.dispatch(services.schedule_of(plan)[0].at)
    first, second = Delivery.objects.order_by("pk")
    assert send_deliveries.apply(args=([first.pk],)).get()["sent"] == 1
    time.sleep(2)  # the server closes the idle session
    assert send_deliveries.apply(args=([second.pk],)).get()["sent"] == 1
    second.refresh_from_db()
    assert (second.state, second.attempts, second.reason) == (DeliveryState.SENT, 1, "")
    assert sorted(smtp.message_ids) == sorted([first.message_id, second.message_id])


def test_the_server_receives_the_bytes_the_email_was_written_as(smtp: Recorder, team, lead):
    plan = running_plan(team, lead, day=1)
    message = ReminderMail(plan, boundary_of(plan, "kickoff")).email(lead, message_id="<w@t>")
    message.body += "\n.\n.. a line that starts with a dot\n"  # smtplib dot-stuffs these
    message = ReminderEmail(
        subject=str(message.subject),
        text=message.body,
        html=message.html,
        to=lead.email,
        headers=dict(message.extra_headers),
    )
    send(message)  # the send task's way: the bytes over the open session
    message.send()  # Django's SMTP backend (the lead's test reminder): the same bytes
    assert smtp.contents == [message.wire, message.wire]
