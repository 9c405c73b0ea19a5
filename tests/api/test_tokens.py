"""Team API tokens: a lead creates them (shown once, stored hashed), sees their use, revokes
them; a wrong, expired or revoked token gets 401, another team's objects 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from planner.api.models import ApiToken
from planner.teams.models import Membership, hash_token
from tests.api.conftest import NOW, Api
from tests.factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db

PAGE = "/teams/ml-platform/api-tokens/"


def _create(client: Client, **fields: str) -> tuple[int, str]:
    data = {"name": "GitHub Actions", "scope": "write", "lifetime": "90", **fields}
    response = client.post(PAGE, data)
    return response.status_code, response.content.decode()


def test_a_lead_creates_a_token_shown_once_and_stored_as_a_digest(client, now, team, lead):
    client.force_login(lead)
    status, page = _create(client)
    assert status == 200
    secret = re.search(r'value="(plnr_[^"]+)"', page)
    assert secret, page
    token = ApiToken.objects.get()
    assert token.token_hash == hash_token(secret.group(1))
    assert secret.group(1) not in str(ApiToken.objects.values_list().get())
    assert token.expires_at == NOW + timedelta(days=90)
    assert token.scope == "write"
    assert token.created_by == lead
    again = client.get(PAGE).content.decode()
    assert secret.group(1) not in again
    assert f"plnr_{token.hint}" in again
    assert Api(secret.group(1)).get("/teams").status_code == 200


def test_an_engineer_gets_403_and_an_outsider_404_and_nothing_is_created(
    client, now, team, engineer, outsider
):
    client.force_login(engineer)
    assert client.get(PAGE).status_code == 403
    assert _create(client)[0] == 403
    client.force_login(outsider)
    assert client.get(PAGE).status_code == 404
    assert _create(client)[0] == 404
    assert not ApiToken.objects.exists()


def test_a_blank_name_or_unknown_lifetime_is_refused_at_the_field(client, now, team, lead):
    client.force_login(lead)
    status, page = _create(client, name="   ")
    assert status == 400
    assert "This field is required." in page or "Give the token a name" in page
    status, page = _create(client, lifetime="9999")
    assert status == 400
    assert "Select a valid choice" in page
    assert not ApiToken.objects.exists()


def test_a_second_live_token_with_the_same_name_is_refused(client, now, team, lead, write_token):
    client.force_login(lead)
    status, page = _create(client, name="CI pipeline")
    assert status == 400
    assert "already has a token with this name" in page
    assert ApiToken.objects.count() == 1


def test_last_use_is_shown_and_written_at_most_once_a_minute(client, now, team, lead, write_token):
    api = Api(write_token)
    assert api.get("/teams").status_code == 200
    token = ApiToken.objects.get()
    assert token.last_used_at == NOW
    now.shift(timedelta(seconds=30))
    api.get("/teams")
    token.refresh_from_db()
    assert token.last_used_at == NOW
    now.shift(timedelta(minutes=2))
    api.get("/teams")
    token.refresh_from_db()
    assert token.last_used_at == NOW + timedelta(minutes=2, seconds=30)
    client.force_login(lead)
    assert "never" not in client.get(PAGE).content.decode()


def test_a_revoked_token_gets_401_at_once(client, now, team, lead, write_token):
    client.force_login(lead)
    token = ApiToken.objects.get()
    response = client.post(f"{PAGE}{token.pk}/revoke/")
    assert response.status_code == 302
    answer = Api(write_token).get("/teams")
    assert answer.status_code == 401
    assert answer.json() == {
        "status": 401,
        "code": "unauthorized",
        "message": "This token was revoked.",
        "errors": [],
    }
    assert answer["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_gets_401_saying_so(now, team, lead, write_token):
    with time_machine.travel(NOW + timedelta(days=90, seconds=1), tick=False):
        answer = Api(write_token).get("/teams")
    assert answer.status_code == 401
    assert "expired" in answer.json()["message"]


def test_a_wrong_or_missing_token_gets_401(now, team, write_token):
    assert Api("plnr_nope").get("/teams").status_code == 401
    assert Api(None).get("/teams").status_code == 401
    assert Api(write_token[:-1]).get("/teams").status_code == 401


def test_a_token_stops_working_when_its_lead_is_no_longer_a_lead(now, team, lead, write_token):
    Membership.objects.filter(team=team, user=lead).update(role="engineer")
    answer = Api(write_token).get("/teams")
    assert answer.status_code == 401
    assert "no longer leads" in answer.json()["message"]


def test_a_token_sees_only_its_own_team(now, team, lead, write_token):
    other = TeamFactory.create(slug="other")
    MembershipFactory.create(team=other, user=lead, role="lead")
    api = Api(write_token)
    assert [t["slug"] for t in api.get("/teams").json()["items"]] == ["ml-platform"]
    answer = api.get("/teams/other/plans")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


def test_revoking_another_teams_token_is_404_and_changes_nothing(client, now, team, lead):
    other = TeamFactory.create(slug="other")
    other_lead = MembershipFactory.create(team=other, role="lead").user
    from tests.api.conftest import _token

    _token(other, other_lead, "write", "theirs")  # type: ignore[arg-type]
    theirs = ApiToken.objects.get()
    client.force_login(lead)
    assert client.post(f"{PAGE}{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
