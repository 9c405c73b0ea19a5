"""Roles, removal and leaving: a team always keeps at least one lead."""

from __future__ import annotations

import pytest
from django.test import Client

from planner.teams.models import Membership
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _member(team, user) -> Membership:
    return Membership.objects.get(team=team, user=user)


def test_lead_promotes_engineer(client: Client, lead, engineer, team):
    client.force_login(lead)
    client.post(f"/teams/{team.slug}/members/{_member(team, engineer).pk}/role/", {"role": "lead"})
    assert _member(team, engineer).role == "lead"


def test_htmx_role_change_answers_with_the_members_partial(client: Client, lead, engineer, team):
    client.force_login(lead)
    response = client.post(
        f"/teams/{team.slug}/members/{_member(team, engineer).pk}/role/",
        {"role": "lead"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="members"')
    assert "is now Lead" in body


def test_last_lead_cannot_be_demoted(client: Client, lead, team):
    client.force_login(lead)
    response = client.post(
        f"/teams/{team.slug}/members/{_member(team, lead).pk}/role/",
        {"role": "engineer"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert "at least one lead" in response.content.decode()
    assert _member(team, lead).role == "lead"


def test_lead_can_step_down_when_another_lead_exists(client: Client, lead, engineer, team):
    Membership.objects.filter(team=team, user=engineer).update(role="lead")
    client.force_login(lead)
    client.post(f"/teams/{team.slug}/members/{_member(team, lead).pk}/role/", {"role": "engineer"})
    assert _member(team, lead).role == "engineer"


def test_invalid_role_is_refused(client: Client, lead, engineer, team):
    client.force_login(lead)
    client.post(f"/teams/{team.slug}/members/{_member(team, engineer).pk}/role/", {"role": "owner"})
    assert _member(team, engineer).role == "engineer"


def test_lead_removes_engineer(client: Client, lead, engineer, team):
    client.force_login(lead)
    client.post(f"/teams/{team.slug}/members/{_member(team, engineer).pk}/remove/")
    assert not Membership.objects.filter(team=team, user=engineer).exists()
    client.force_login(engineer)
    assert client.get(f"/teams/{team.slug}/").status_code == 404


def test_last_lead_cannot_be_removed(client: Client, lead, team):
    client.force_login(lead)
    response = client.post(
        f"/teams/{team.slug}/members/{_member(team, lead).pk}/remove/", follow=True
    )
    assert "last lead cannot be removed" in response.content.decode()
    assert Membership.objects.filter(team=team, user=lead).exists()


def test_member_of_another_team_cannot_be_touched(client: Client, lead, team):
    foreign = MembershipFactory.create(role="engineer")
    client.force_login(lead)
    response = client.post(f"/teams/{team.slug}/members/{foreign.pk}/remove/")
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_engineer_leaves(client: Client, engineer, team):
    client.force_login(engineer)
    response = client.post(f"/teams/{team.slug}/leave/")
    assert response["Location"] == "/"
    assert not Membership.objects.filter(team=team, user=engineer).exists()


def test_last_lead_cannot_leave(client: Client, lead, team):
    client.force_login(lead)
    response = client.post(f"/teams/{team.slug}/leave/", follow=True)
    assert "last lead" in response.content.decode()
    assert Membership.objects.filter(team=team, user=lead).exists()


def test_team_page_query_count_does_not_grow_with_members(
    client: Client, lead, team, django_assert_num_queries
):
    client.force_login(lead)
    with django_assert_num_queries(6) as first:
        client.get(f"/teams/{team.slug}/")
    for _ in range(10):
        MembershipFactory.create(team=team)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(f"/teams/{team.slug}/")
