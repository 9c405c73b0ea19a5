"""The home page: two sentences for visitors; My tasks and the teams of a signed-in user."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_visitor_sees_what_planner_does_with_sign_in_and_sign_up(client: Client):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "30-day plan" in body
    assert 'href="/accounts/login/"' in body
    assert 'href="/accounts/signup/"' in body


def test_member_sees_all_their_teams_and_no_others(client: Client, engineer, team):
    other = TeamFactory.create(name="Recommender Squad")
    MembershipFactory.create(team=other, user=engineer, role="lead")
    TeamFactory.create(name="Secret Team")
    client.force_login(engineer)
    body = client.get("/").content.decode()
    assert "ML Platform" in body
    assert "Recommender Squad" in body
    assert "Secret Team" not in body


def test_home_query_count_does_not_grow_with_teams(
    client: Client, engineer, django_assert_num_queries
):
    client.force_login(engineer)
    MembershipFactory.create(user=engineer)
    with django_assert_num_queries(4) as first:
        client.get("/")
    for _ in range(5):
        MembershipFactory.create(user=engineer)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/")


def test_static_assets_are_served_by_the_app(client: Client):
    page = client.get("/").content.decode()
    assert "/static/css/planner.css" in page
    assert "htmx" in page
    # Every script and style sheet from this app, none from a CDN. (A search for "cdn" in
    # the page failed once in a clock run: the CSRF token is random text.)
    assets = re.findall(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"', page)
    assert any("htmx" in asset for asset in assets)
    assert assets, page
    assert all(asset.startswith("/static/") for asset in assets), assets


def test_a_request_too_large_gets_a_page_that_says_so(client: Client, engineer):
    client.force_login(engineer)
    response = client.post("/teams/new/", {"name": "x" * 3_000_000, "time_zone": "UTC"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "The request was not understood" in body
    assert "/static/css/planner.css" in body
