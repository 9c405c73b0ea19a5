"""Unsubscribing, reminder settings, and the lead's reminder schedule."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from planner.plans.models import Plan
from planner.reminders import selectors
from planner.reminders.emails import UNSUBSCRIBE_SALT, unsubscribe_token
from planner.reminders.models import Delivery, DeliveryState, OptOut
from planner.reminders.tasks import dispatch_due
from tests.factories import MembershipFactory, TeamFactory
from tests.progress.plans import running_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(team, lead) -> Plan:
    return running_plan(team, lead, day=1)


def unsubscribe_url(user, team) -> str:
    return f"/reminders/unsubscribe/{unsubscribe_token(user, team)}/"


def test_one_click_unsubscribe_needs_no_login_and_no_csrf_token(engineer, team):
    client = Client(enforce_csrf_checks=True)
    url = unsubscribe_url(engineer, team)
    page = client.get(url)
    assert page.status_code == 200
    assert "Unsubscribe from reminders" in page.content.decode()
    assert not OptOut.objects.exists()  # a link preview must not unsubscribe
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert OptOut.objects.filter(user=engineer, team=team).exists()
    client.post(url, {"List-Unsubscribe": "One-Click"})  # again: no error, one row
    assert OptOut.objects.count() == 1


@pytest.mark.parametrize("data", [{"u": "abc", "t": 1}, {"u": 1}, [1, 2], {"u": -1, "t": 1}])
def test_a_signed_link_with_malformed_contents_is_refused_not_a_500(
    data, engineer, team, client: Client
):
    token = signing.dumps(data, salt=UNSUBSCRIBE_SALT, compress=True)
    response = client.post(f"/reminders/unsubscribe/{token}/")
    assert response.status_code == 400
    assert not OptOut.objects.exists()


def test_a_link_for_a_team_the_person_is_not_in_changes_nothing(outsider, team, client: Client):
    response = client.post(unsubscribe_url(outsider, team))
    assert response.status_code == 400
    assert "invalid or has expired" in response.content.decode()
    assert not OptOut.objects.exists()


def test_tampered_or_expired_link_changes_nothing(engineer, team, client: Client):
    url = unsubscribe_url(engineer, team)
    token = unsubscribe_token(engineer, team)
    tampered = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
    assert client.post(f"/reminders/unsubscribe/{tampered}/").status_code == 400
    assert client.post("/reminders/unsubscribe/not-a-token/").status_code == 400
    with time_machine.travel(timezone.now() + timedelta(days=121)):
        response = client.post(url)
    assert response.status_code == 400
    assert "invalid or has expired" in response.content.decode()
    assert not OptOut.objects.exists()


def test_preferences_page_opts_out_and_back_in(client: Client, engineer, team):
    second = TeamFactory.create(name="Second")
    MembershipFactory.create(team=second, user=engineer)
    client.force_login(engineer)
    page = client.get("/accounts/reminders/").content.decode()
    assert "ML Platform" in page
    assert "Second" in page
    client.post("/accounts/reminders/", {"team": [str(second.pk)]})
    assert list(OptOut.objects.values_list("team_id", flat=True)) == [team.pk]
    client.post("/accounts/reminders/", {"team": [str(team.pk), str(second.pk)]})
    assert not OptOut.objects.exists()


def test_preferences_need_a_login(client: Client):
    assert client.get("/accounts/reminders/").status_code == 302


def test_lead_sees_the_schedule_with_states_and_recipients(
    client: Client, django_capture_on_commit_callbacks, lead, engineer, team, plan
):
    kick_off = selectors.schedule_of(plan)[0].at
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due(kick_off)
    Delivery.objects.filter(email=engineer.email).update(
        state=DeliveryState.FAILED, reason="SMTPServerDisconnected: gone"
    )
    client.force_login(lead)
    url = f"/teams/{team.slug}/plans/{plan.pk}/reminders/"
    response = client.get(url)
    body = response.content.decode()
    rows = {row.boundary.key: row.state for row in response.context["rows"]}
    assert rows == {
        "kickoff": "failed",
        "phase-2": "upcoming",
        "phase-3": "upcoming",
        "phase-4": "upcoming",
        "wrapup": "upcoming",
    }
    assert "SMTPServerDisconnected: gone" in body
    assert "Send failed reminders again" in body
    assert lead.display_name in body


def test_boundaries_a_resume_passed_over_show_as_skipped_at_once(client: Client, lead, team, plan):
    from planner.plans.services import plan_pause, plan_resume

    plan_pause(plan=plan, user=lead)
    phase_two = selectors.schedule_of(plan)[1].at
    plan_resume(plan=plan, user=lead, now=phase_two + timedelta(hours=1))
    client.force_login(lead)
    with time_machine.travel(phase_two + timedelta(hours=1, minutes=1), tick=False):
        response = client.get(f"/teams/{team.slug}/plans/{plan.pk}/reminders/")
    rows = {row.boundary.key: row.state for row in response.context["rows"]}
    assert rows == {
        "kickoff": "skipped",
        "phase-2": "skipped",
        "phase-3": "upcoming",
        "phase-4": "upcoming",
        "wrapup": "upcoming",
    }


def test_schedule_times_are_in_the_teams_time_zone_whatever_the_leads(
    client: Client, lead, team, plan
):
    lead.time_zone = "America/New_York"
    lead.save()
    client.force_login(lead)
    page = client.get(f"/teams/{team.slug}/plans/{plan.pk}/reminders/").content.decode()
    kick_off = selectors.schedule_of(plan)[0].at.astimezone(ZoneInfo(team.time_zone))
    row = page.split('id="boundary-kickoff"')[1].split("</tr>")[0]
    assert f"{kick_off.day} {kick_off:%b %Y}, 09:00" in row


def test_schedule_is_for_leads(client: Client, engineer, outsider, team, plan):
    url = f"/teams/{team.slug}/plans/{plan.pk}/reminders/"
    client.force_login(engineer)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_test_reminder_goes_to_the_lead_only_and_is_not_recorded(
    client: Client, django_capture_on_commit_callbacks, lead, team, plan
):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/teams/{team.slug}/plans/{plan.pk}/reminders/test/", {"key": "phase-2"}, follow=True
        )
    assert f"A test reminder is on its way to {lead.email}." in response.content.decode()
    assert [m.to for m in mail.outbox] == [[lead.email]]
    assert mail.outbox[0].subject.startswith("[Test] [Planner]")
    assert not plan.reminders.exists()
    bad = client.post(
        f"/teams/{team.slug}/plans/{plan.pk}/reminders/test/", {"key": "phase-9"}, follow=True
    )
    assert "Choose a boundary of this plan." in bad.content.decode()
