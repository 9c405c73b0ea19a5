"""Every team URL answers 404 to non-members and 403 to engineers on lead actions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from planner.teams.models import Membership, Team
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db

# (url name, method, needs lead)
TEAM_URLS = [
    ("team_detail", "get", False),
    ("team_settings", "get", True),
    ("team_settings", "post", True),
    ("team_leave", "post", False),
    ("invitation_create", "post", True),
    ("invitation_revoke", "post", True),
    ("member_role", "post", True),
    ("member_remove", "post", True),
]


def _url(name: str, team: Team) -> str:
    kwargs: dict[str, object] = {"team_slug": team.slug}
    if name == "invitation_revoke":
        kwargs["invitation_id"] = InvitationFactory.create(team=team).pk
    if name in ("member_role", "member_remove"):
        kwargs["member_id"] = Membership.objects.filter(team=team).first().pk  # type: ignore[union-attr]
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize(("name", "method", "_lead_only"), TEAM_URLS)
def test_outsider_gets_404_on_every_team_url(
    client: Client, team, outsider, name, method, _lead_only
):
    client.force_login(outsider)
    response = getattr(client, method)(
        _url(name, team), {"role": "engineer", "email": "x@example.org"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "method", "_lead_only"), TEAM_URLS)
def test_anonymous_is_sent_to_sign_in(client: Client, team, name, method, _lead_only):
    response = getattr(client, method)(_url(name, team))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(("name", "method"), [(n, m) for n, m, lead_only in TEAM_URLS if lead_only])
def test_engineer_gets_403_on_lead_actions(client: Client, team, engineer, name, method):
    before = list(Membership.objects.values_list("pk", "role").order_by("pk"))
    client.force_login(engineer)
    response = getattr(client, method)(
        _url(name, team), {"role": "lead", "email": "x@example.org", "name": "Renamed"}
    )
    assert response.status_code == 403
    assert list(Membership.objects.values_list("pk", "role").order_by("pk")) == before
    assert Team.objects.get(pk=team.pk).name == "ML Platform"


def test_unknown_team_and_foreign_team_look_the_same(client: Client, team, outsider):
    client.force_login(outsider)
    unknown = client.get(reverse("team_detail", kwargs={"team_slug": "no-such-team"}))
    foreign = client.get(reverse("team_detail", kwargs={"team_slug": team.slug}))
    assert unknown.status_code == foreign.status_code == 404


def test_member_sees_team_page(client: Client, team, engineer):
    client.force_login(engineer)
    response = client.get(reverse("team_detail", kwargs={"team_slug": team.slug}))
    assert response.status_code == 200
    assert b"ML Platform" in response.content
    assert b"Invite engineers" not in response.content  # lead-only section


def _patterns(resolver: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry.callback


def test_every_team_url_is_behind_the_team_access_check():
    team_urls = {route: view for route, view in _patterns(get_resolver()) if "team_slug" in route}
    assert len(team_urls) > 20  # the walk found them
    unguarded = [route for route, view in team_urls.items() if not hasattr(view, "team_access")]
    assert unguarded == []


def test_an_engineer_finds_the_team_export_on_the_team_page(client: Client, team, engineer):
    client.force_login(engineer)
    page = client.get(reverse("team_detail", kwargs={"team_slug": team.slug})).content.decode()
    url = reverse("team_export", kwargs={"team_slug": team.slug})
    assert f'href="{url}"' in page
    assert client.get(url).status_code == 200
