"""Slack and Microsoft Teams: the phase summary at each boundary, once, in the team's
language, through the same ledger; a channel that refuses shows as failed with its answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from planner.progress import services as progress
from planner.reminders.selectors import schedule_of
from planner.webhooks import services
from planner.webhooks.models import Delivery, EndpointKind
from planner.webhooks.tasks import dispatch_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def slack(team, lead, receiver):
    return services.chat_connect(
        team=team,
        user=lead,
        kind=EndpointKind.SLACK,
        url=receiver.url("/slack"),
        digest_weekday=None,
    )


@pytest.fixture
def teams(team, lead, receiver):
    return services.chat_connect(
        team=team,
        user=lead,
        kind=EndpointKind.TEAMS,
        url=receiver.url("/teams"),
        digest_weekday=None,
    )


def at_boundary(plan, key, capture, minutes=1):
    due = next(d for d in schedule_of(plan) if d.boundary.key == key)
    with time_machine.travel(due.at + timedelta(minutes=minutes)), capture(execute=True):
        return dispatch_due()


def test_slack_gets_the_phase_summary_once_in_block_kit(
    django_capture_on_commit_callbacks, plan, lead, engineer, slack, receiver
):
    done = plan.tasks.filter(phase=1).order_by("pk").first()
    progress.task_complete(task_id=done.pk, user=lead)
    at_boundary(plan, "phase-2", django_capture_on_commit_callbacks)
    at_boundary(plan, "phase-2", django_capture_on_commit_callbacks, minutes=6)
    [got] = receiver.at("/slack")
    assert "webhook-signature" not in got.headers
    body = got.json()
    assert body["text"] == "ML Platform: phase 2 starts today"
    blocks = body["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "ML Platform: phase 2 starts today", "emoji": False},
    }
    texts = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    open_in_1 = plan.tasks.filter(phase=1, status="open").count()
    assert f"*Phase 1 ended: 1 done, {open_in_1} open*" in texts
    assert "*Open tasks of phase 2 by owner*" in texts
    owner = plan.tasks.filter(phase=2, assignee__isnull=False).first().assignee.display_name
    assert f"*{owner}:*" in texts
    assert "*KPIs*" in texts
    assert "Average inference latency: baseline 240 ms, latest –, target 192 ms" in texts
    assert blocks[-1]["type"] == "actions"
    assert (
        blocks[-1]["elements"][0]["url"]
        == f"http://127.0.0.1:8000/teams/ml-platform/plans/{plan.pk}/"
    )
    assert Delivery.objects.get().state == "sent"


def test_teams_gets_an_adaptive_card_in_german(
    django_capture_on_commit_callbacks, plan, team, teams, receiver
):
    team.language = "de"
    team.save()
    at_boundary(plan, "phase-2", django_capture_on_commit_callbacks)
    [got] = receiver.at("/teams")
    body = got.json()
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    texts = [b["text"] for b in card["body"]]
    assert texts[0] == "ML Platform: Phase 2 beginnt heute"
    assert any(t.startswith("Phase 1 ist zu Ende: 0 erledigt,") for t in texts)
    assert "Offene Aufgaben von Phase 2 nach Person" in texts
    assert "ß" not in got.body.decode()
    assert card["actions"][0] == {
        "type": "Action.OpenUrl",
        "title": "Plan öffnen",
        "url": f"http://127.0.0.1:8000/teams/ml-platform/plans/{plan.pk}/",
    }


def test_both_channels_get_the_kick_off_and_the_wrap_up(
    django_capture_on_commit_callbacks, team, lead, receiver
):
    from tests.progress.plans import running_plan

    # Connected on day 1 before the reminder hour, when the kick-off is still to come (a
    # channel connected after a boundary does not get that boundary's summary).
    with time_machine.travel(datetime(2027, 2, 1, 6, 0, tzinfo=UTC), tick=False):
        plan = running_plan(team, lead, day=1)
        services.chat_connect(
            team=team,
            user=lead,
            kind=EndpointKind.SLACK,
            url=receiver.url("/slack"),
            digest_weekday=None,
        )
    at_boundary(plan, "kickoff", django_capture_on_commit_callbacks)
    at_boundary(plan, "wrapup", django_capture_on_commit_callbacks)
    texts = [r.json()["text"] for r in receiver.at("/slack")]
    assert texts == [
        "ML Platform: the 30-day plan starts today",
        "ML Platform: the plan is complete",
    ]


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_a_channel_that_refuses_shows_as_failed_with_its_answer(
    django_capture_on_commit_callbacks, plan, slack, receiver, status
):
    receiver.answer(status, "invalid_token")
    at_boundary(plan, "phase-2", django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.status_code, delivery.answer) == (
        "failed",
        status,
        "invalid_token",
    )


def test_a_channel_with_a_server_error_is_tried_again(
    django_capture_on_commit_callbacks, plan, slack, receiver
):
    receiver.answer(500, "internal_error")
    at_boundary(plan, "phase-2", django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.status_code, delivery.answer) == (
        "pending",
        500,
        "internal_error",
    )
    at_boundary(plan, "phase-2", django_capture_on_commit_callbacks, minutes=5)  # the sweep
    delivery.refresh_from_db()
    assert delivery.state == "sent"
    assert len(receiver.at("/slack")) == 2


def test_the_weekly_digest_goes_out_on_the_chosen_weekday_once(
    django_capture_on_commit_callbacks, plan, team, lead, receiver
):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    start = plan.start_date
    day = start + timedelta(days=8)  # a day without a boundary in the 30-day plan
    services.chat_connect(
        team=team,
        user=lead,
        kind=EndpointKind.SLACK,
        url=receiver.url("/slack"),
        digest_weekday=day.weekday(),
    )
    zone = ZoneInfo(team.time_zone)
    for hour in (7, 10, 11):
        moment = datetime.combine(day, time(hour), zone)
        with time_machine.travel(moment), django_capture_on_commit_callbacks(execute=True):
            dispatch_due()
    digests = [r.json() for r in receiver.at("/slack") if r.json()["text"].endswith("this week")]
    assert [d["text"] for d in digests] == ["ML Platform: the plan this week"]
