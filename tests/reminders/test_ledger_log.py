"""The reminder ledger's log lines: one per transition, naming delivery, team and boundary,
never the recipient's address or the email's text."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail

from planner.reminders import sending, services
from planner.reminders.models import Delivery, DeliveryState, OptOut
from tests.core.logcapture import captured_logs
from tests.progress.plans import running_plan
from tests.reminders.test_sending import ScriptedBackend, dispatched, due

pytestmark = pytest.mark.django_db


@pytest.fixture
def scripted(settings) -> type[ScriptedBackend]:
    settings.EMAIL_BACKEND = "tests.reminders.test_sending.ScriptedBackend"
    ScriptedBackend.fail = staticmethod(lambda m: None)
    ScriptedBackend.calls = 0
    return ScriptedBackend


def events(logs, delivery_id: int) -> list[str]:
    return [
        line["ledger_event"]
        for line in logs.of("planner.reminders.ledger")
        if line.get("delivery_id") == delivery_id
    ]


def test_a_sent_delivery_is_claimed_then_sent_by_id_team_and_boundary(scripted, team, lead):
    with captured_logs() as logs:
        ids = dispatched(running_plan(team, lead, day=1))
        sending.send_batch(ids)
    [dispatch] = [line for line in logs.lines() if line.get("ledger_event") == "dispatched"]
    assert (dispatch["team_id"], dispatch["boundary"], dispatch["deliveries"]) == (
        team.pk,
        "kickoff",
        2,
    )
    for delivery_id in ids:
        assert events(logs, delivery_id) == ["delivery claimed", "delivery sent"]
    sent = [line for line in logs.lines() if line.get("ledger_event") == "delivery sent"]
    assert {line["team_id"] for line in sent} == {team.pk}
    assert {line["boundary"] for line in sent} == {"kickoff"}
    assert "Reminder delivery sent: delivery_id=" in sent[0]["message"]
    body = max(mail.outbox[0].body.splitlines(), key=len)
    assert lead.email not in logs.text
    assert body not in logs.text


def test_a_refusal_for_now_logs_the_try_the_retries_and_the_next_try(
    scripted, settings, team, lead, engineer
):
    settings.REMINDER_RETRY_SECONDS = 60
    settings.REMINDER_RETRIES = 3
    ids = dispatched(running_plan(team, lead, day=1))
    scripted.fail = staticmethod(
        lambda m: smtplib.SMTPRecipientsRefused({m.to[0]: (451, b"4.7.1 greylisted")})
    )
    with captured_logs() as logs:
        sending.send_batch(ids)
    [line, *_] = [
        line for line in logs.lines() if line.get("ledger_event") == "delivery failed, retry later"
    ]
    waiting = Delivery.objects.get(pk=line["delivery_id"])
    assert line["level"] == "WARNING"
    assert (line["attempt"], line["retries"]) == (1, 3)
    assert line["error"] == "SMTPRecipientsRefused 451"
    assert line["next_try"] == waiting.next_attempt_at.isoformat()
    assert engineer.email not in logs.text  # the refusal names the address; the log does not
    assert "greylisted" not in logs.text


def test_giving_up_says_why(scripted, settings, team, lead):
    settings.REMINDER_RETRIES = 0
    ids = dispatched(running_plan(team, lead, day=1))
    scripted.fail = staticmethod(lambda m: ConnectionRefusedError(111, "refused"))
    with captured_logs() as logs:
        sending.send_batch(ids)
    given_up = [
        line for line in logs.lines() if line.get("ledger_event") == "delivery failed, given up"
    ]
    assert {line["delivery_id"] for line in given_up} == set(ids)
    assert {line["why"] for line in given_up} == {"no tries left"}
    assert {line["level"] for line in given_up} == {"ERROR"}


def test_an_unsubscribed_member_is_logged_as_skipped_with_the_reason(team, lead, engineer):
    OptOut.objects.create(user=engineer, team=team)
    plan = running_plan(team, lead, day=1)
    with captured_logs() as logs:
        services.dispatch(due(plan, "kickoff"))
    skipped = Delivery.objects.get(user=engineer)
    [line] = [line for line in logs.lines() if line.get("ledger_event") == "delivery skipped"]
    assert (line["delivery_id"], line["reason"], line["boundary"]) == (
        skipped.pk,
        "unsubscribed",
        "kickoff",
    )


def test_the_sweeper_logs_each_delivery_it_puts_back(settings, team, lead):
    plan = running_plan(team, lead, day=1)
    at = due(plan, "kickoff")
    ids = dispatched(plan)
    services.delivery_claim(ids[0], at)
    with captured_logs() as logs:
        services.sweep(at + timedelta(minutes=settings.REMINDER_STUCK_MINUTES + 1))
    put_back = [line for line in logs.lines() if line.get("ledger_event") == "delivery put back"]
    assert {(line["delivery_id"], line["reason"]) for line in put_back} >= {
        (ids[0], "stuck in sending")
    }
    assert all(line["team_id"] == team.pk for line in put_back)
    assert Delivery.objects.get(pk=ids[0]).state == DeliveryState.PENDING
