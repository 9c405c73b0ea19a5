"""Each member's hours a week for the plan: set by a lead, followed by the next draft."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from planner.assessment.examples import MANUAL
from planner.assessment.models import Assessment
from planner.plans.services import plan_generate
from planner.playbook.loader import get_playbook
from planner.teams.models import Membership

pytestmark = pytest.mark.django_db
PLAYBOOK = get_playbook()


def url(team, member: Membership) -> str:
    return f"/teams/{team.slug}/members/{member.pk}/hours/"


def hours(team, user) -> int | None:
    return Membership.objects.get(team=team, user=user).weekly_hours


def test_a_lead_sets_a_members_hours_and_empties_them_again(client: Client, lead, engineer, team):
    member = Membership.objects.get(team=team, user=engineer)
    client.force_login(lead)
    response = client.post(url(team, member), {"weekly_hours": "10"}, HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith('<section id="members"')
    assert "gives the plan 10 hours a week" in response.content.decode()
    assert hours(team, engineer) == 10
    client.post(url(team, member), {"weekly_hours": ""})
    assert hours(team, engineer) is None
    page = client.get(f"/teams/{team.slug}/").content.decode()
    assert 'placeholder="usual"' in page


@pytest.mark.parametrize("value", ["-1", "61", "2.5", "lots"])
def test_hours_outside_a_week_are_refused_and_nothing_changes(
    client: Client, lead, engineer, team, value
):
    member = Membership.objects.get(team=team, user=engineer)
    client.force_login(lead)
    response = client.post(url(team, member), {"weekly_hours": value}, follow=True)
    assert "Enter whole hours between 0 and 60, or leave it empty." in response.content.decode()
    assert hours(team, engineer) is None


def test_an_engineer_cannot_set_hours_and_an_outsider_gets_404(
    client: Client, engineer, outsider, lead, team
):
    member = Membership.objects.get(team=team, user=lead)
    client.force_login(engineer)
    assert client.post(url(team, member), {"weekly_hours": "1"}).status_code == 403
    client.force_login(outsider)
    assert client.post(url(team, member), {"weekly_hours": "1"}).status_code == 404
    assert hours(team, lead) is None


def test_the_next_draft_follows_each_members_hours(lead, engineer, team):
    Membership.objects.filter(team=team, user=lead).update(weekly_hours=0)  # steers only
    Membership.objects.filter(team=team, user=engineer).update(weekly_hours=20)
    assessment = Assessment.objects.create(
        team=team,
        created_by=lead,
        playbook_version=PLAYBOOK.version,
        answers={**MANUAL, "team_size": 2, "hours_per_week": 6},
    )
    plan = plan_generate(
        assessment=assessment, playbook=PLAYBOOK, user=lead, length=30, start=date(2027, 3, 1)
    )
    # The engineer at 20 hours, and one more person the team counts, at the usual 6.
    assert plan.seats == [
        {"member": engineer.pk, "weekly_hours": 20.0},
        {"member": None, "weekly_hours": 6.0},
    ]
    assert not plan.tasks.filter(assignee=lead).exists()
    assert plan.tasks.filter(assignee=engineer).exists()
