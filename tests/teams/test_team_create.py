"""Creating a team makes its creator the lead; team settings are for leads."""

from __future__ import annotations

import pytest
from django.test import Client

from planner.teams.models import Membership, Team
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def _create(client: Client, **data: str):
    return client.post(
        "/teams/new/", {"name": "Vision", "time_zone": "Europe/Zurich", "language": "de", **data}
    )


def test_creator_becomes_lead(client: Client, engineer):
    client.force_login(engineer)
    response = _create(client)
    team = Team.objects.get()
    assert response["Location"] == f"/teams/{team.slug}/"
    assert (team.slug, team.time_zone, team.language) == ("vision", "Europe/Zurich", "de")
    assert Membership.objects.get(team=team).role == "lead"


def test_slug_is_made_unique(client: Client, engineer):
    TeamFactory.create(slug="vision")
    client.force_login(engineer)
    _create(client)
    assert Team.objects.filter(slug="vision-2").exists()


def test_taken_short_name_is_refused_at_the_field(client: Client, engineer):
    TeamFactory.create(slug="vision")
    client.force_login(engineer)
    response = _create(client, slug="vision")
    assert "slug" in response.context["form"].errors
    assert Team.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "   "),
        ("name", "Vision\nModels"),  # a line break in a name broke every invitation's header
        ("name", "Vision \u202egnp.exe"),  # would read as "Vision exe.png"
        ("time_zone", "Nowhere/City"),
        ("language", "fr"),
    ],
)
def test_bad_team_input_is_refused_at_the_field(client: Client, engineer, field, value):
    client.force_login(engineer)
    response = _create(client, **{field: value})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Team.objects.exists()


def test_lead_changes_team_settings(client: Client, lead, team):
    client.force_login(lead)
    client.post(
        f"/teams/{team.slug}/settings/",
        {"name": "ML Platform Zürich", "time_zone": "Europe/Berlin", "language": "de"},
    )
    team.refresh_from_db()
    assert (team.name, team.time_zone, team.language) == (
        "ML Platform Zürich",
        "Europe/Berlin",
        "de",
    )
