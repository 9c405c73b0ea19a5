"""A send task's batch: the emails of one reminder over one session, each delivery claimed
and recorded on its own, SMTP errors told apart by what they mean."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from django.core import mail, signing
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from planner.plans.models import Plan, TaskStatus
from planner.reminders import selectors, sending, services
from planner.reminders.emails import ReminderMail, boundary_of
from planner.reminders.emails import read_unsubscribe_token as read_token
from planner.reminders.models import Delivery, DeliveryState
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.progress.plans import running_plan
from tests.reminders.mail import html_of

pytestmark = pytest.mark.django_db


class ScriptedBackend(BaseEmailBackend):
    """Sends to the test outbox unless `fail` says what to raise for a message."""

    fail: ClassVar[Callable[[EmailMessage], Exception | None]] = staticmethod(lambda m: None)
    calls: ClassVar[int] = 0

    def send_messages(self, email_messages: Any) -> int:
        for message in email_messages:
            type(self).calls += 1
            error = type(self).fail(message)
            if error is not None:
                raise error
            mail.outbox.append(message)
        return len(email_messages)


@pytest.fixture
def scripted(settings) -> type[ScriptedBackend]:
    settings.EMAIL_BACKEND = f"{__name__}.ScriptedBackend"
    ScriptedBackend.fail = staticmethod(lambda m: None)
    ScriptedBackend.calls = 0
    return ScriptedBackend


def due(plan: Plan, key: str) -> Any:
    return next(d.at for d in selectors.schedule_of(plan) if d.boundary.key == key)


def dispatched(plan: Plan, key: str = "kickoff") -> list[int]:
    """Record boundary `key` in the ledger, nothing queued: the pending deliveries."""
    services.dispatch(due(plan, key))
    return list(
        Delivery.objects.filter(reminder__plan=plan, state=DeliveryState.PENDING).values_list(
            "pk", flat=True
        )
    )


def states(ids: list[int]) -> dict[str, str]:
    return dict(Delivery.objects.filter(pk__in=ids).values_list("email", "state"))


def test_the_cost_of_a_batch_grows_by_two_statements_per_email(scripted):
    def statements(members: int) -> int:
        team = TeamFactory.create()
        lead = MembershipFactory.create(team=team, role="lead").user
        for _ in range(members - 1):
            MembershipFactory.create(team=team)
        ids = dispatched(running_plan(team, lead, day=1))
        with CaptureQueriesContext(connection) as queries:
            assert sending.send_batch(ids).sent == members
        return len(queries.captured_queries)

    few, many = statements(2), statements(9)
    assert many - few == 2 * 7  # its claim and its sent-mark; the email is written from memory


def test_a_refusal_for_good_fails_that_delivery_at_once_and_the_rest_go_out(
    scripted, team, lead, engineer
):
    ids = dispatched(running_plan(team, lead, day=1))
    scripted.fail = staticmethod(
        lambda m: (
            smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"5.1.1 no such user")})
            if m.to == [engineer.email]
            else None
        )
    )
    result = sending.send_batch(ids)
    assert (result.sent, result.failed, dict(result.later)) == (1, 1, {})
    refused = Delivery.objects.get(email=engineer.email)
    assert (refused.state, refused.attempts) == (DeliveryState.FAILED, 1)
    assert "no such user" in refused.reason
    assert [m.to for m in mail.outbox] == [[lead.email]]


def test_a_refusal_for_now_is_tried_again_after_its_backoff(
    scripted, settings, team, lead, engineer
):
    settings.REMINDER_RETRY_SECONDS = 60
    ids = dispatched(running_plan(team, lead, day=1))
    scripted.fail = staticmethod(
        lambda m: (
            smtplib.SMTPRecipientsRefused({m.to[0]: (451, b"4.7.1 greylisted")})
            if m.to == [engineer.email]
            else None
        )
    )
    result = sending.send_batch(ids)
    waiting = Delivery.objects.get(email=engineer.email)
    assert dict(result.later) == {60.0: [waiting.pk]}
    assert (waiting.state, waiting.attempts) == (DeliveryState.PENDING, 1)
    assert "greylisted" in waiting.reason
    assert waiting.claimed_at is not None
    assert waiting.next_attempt_at == pytest.approx(
        waiting.claimed_at + timedelta(seconds=60), abs=timedelta(seconds=2)
    )
    scripted.fail = staticmethod(lambda m: None)
    assert sending.send_batch([waiting.pk]).sent == 1
    waiting.refresh_from_db()
    assert (waiting.state, waiting.attempts, waiting.reason) == (DeliveryState.SENT, 2, "")


def test_a_server_that_is_down_is_tried_once_for_the_whole_batch(scripted, team, lead, engineer):
    MembershipFactory.create(team=team)
    ids = dispatched(running_plan(team, lead, day=1))
    scripted.fail = staticmethod(lambda m: ConnectionRefusedError(111, "Connection refused"))
    result = sending.send_batch(ids)
    assert scripted.calls == 1  # the others are not thrown at a server that is not there
    assert sorted(result.later[60.0]) == sorted(ids)
    rows = Delivery.objects.filter(pk__in=ids)
    assert {(d.state, d.attempts) for d in rows} == {(DeliveryState.PENDING, 1)}
    assert all("Connection refused" in d.reason for d in rows)


def test_a_server_down_for_good_fails_the_batch_after_the_last_try(scripted, settings, team, lead):
    settings.REMINDER_RETRIES = 2
    ids = dispatched(running_plan(team, lead, day=1))
    scripted.fail = staticmethod(lambda m: smtplib.SMTPServerDisconnected("gone"))
    for _ in range(3):
        sending.send_batch(ids)
    assert set(states(ids).values()) == {DeliveryState.FAILED}
    assert sending.send_batch(ids).counts()["sent"] == 0


def test_an_email_that_cannot_be_written_fails_alone(scripted, monkeypatch, team, lead, engineer):
    ids = dispatched(running_plan(team, lead, day=1))
    write = ReminderMail.email

    def broken_for_the_engineer(self: ReminderMail, user: Any, **kwargs: Any) -> EmailMessage:
        if user.pk == engineer.pk:
            raise KeyError("a template bug")
        return write(self, user, **kwargs)

    monkeypatch.setattr(ReminderMail, "email", broken_for_the_engineer)
    result = sending.send_batch(ids)
    assert (result.sent, result.failed) == (1, 1)
    broken = Delivery.objects.get(email=engineer.email)
    assert (broken.state, broken.reason) == (DeliveryState.FAILED, "KeyError: 'a template bug'")


def test_each_recipient_gets_their_own_parts_of_the_shared_email(team, lead, engineer):
    plan = running_plan(team, lead, day=1)
    german = UserFactory.create(name="Erika Muster", language="de")
    MembershipFactory.create(team=team, user=german)
    # Phase 3 begins: open phase-1 tasks are overdue; the engineer has one, the lead none.
    overdue = plan.tasks.filter(phase=1).order_by("day").first()
    assert overdue is not None
    plan.tasks.filter(phase=1, assignee=lead).update(assignee=None)
    plan.tasks.filter(pk=overdue.pk).update(assignee=engineer, status=TaskStatus.OPEN)
    writer = ReminderMail(plan, boundary_of(plan, "phase-3"))
    to_lead = writer.email(lead, message_id="<1@t>")
    to_engineer = writer.email(engineer, message_id="<2@t>")
    to_german = writer.email(german, message_id="<3@t>")

    assert "Hello Lea Lead," in to_lead.body
    assert f"Hello {engineer.display_name}," in to_engineer.body
    assert "Guten Tag Erika Muster," in to_german.body
    assert "Phase 3 beginnt heute" in html_of(to_german)
    engineer_html, lead_html = html_of(to_engineer), html_of(to_lead)
    assert "<strong>yours</strong>" in engineer_html
    assert "yours" not in lead_html
    assert "yours" not in to_lead.body
    assert "[yours]" in to_engineer.body
    for message, user in [(to_lead, lead), (to_engineer, engineer), (to_german, german)]:
        link = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert link in message.body
        assert link in html_of(message)
        token = link.rstrip("/").rsplit("/", 1)[-1]
        assert read_token(token) == (user.pk, team.pk)
    with pytest.raises(signing.BadSignature):
        read_token(token[:-2] + "xx")


def test_the_subject_is_plain_text_not_escaped_html(team, lead):
    team.name = "ML <Platform> & Co"
    team.save()
    plan = running_plan(team, lead, day=1)
    message = ReminderMail(plan, boundary_of(plan, "kickoff")).email(lead, message_id="<1@t>")
    assert message.subject == "[Planner] ML <Platform> & Co: your plan starts today"
    assert "ML &lt;Platform&gt; &amp; Co" in html_of(message)  # the HTML part is
