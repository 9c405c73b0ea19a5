"""Pages through the full middleware stack, against a minimal view on the same stack."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path

from benchmarks.harness import Figure, compare
from planner.accounts.models import User
from planner.teams.models import Membership, Role, Team


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("bench/minimal/", minimal), path("", include("planner.urls"))]


def run() -> list[Figure]:
    team = Team.objects.create(name="Bench", slug="bench")
    lead = User.objects.create_user("bench-lead@example.org", "x")
    Membership.objects.create(team=team, user=lead, role=Role.LEAD)
    for number in range(10):
        user = User.objects.create_user(f"bench{number}@example.org", "x")
        Membership.objects.create(team=team, user=user)

    with override_settings(ROOT_URLCONF=__name__):
        client = Client()
        client.force_login(lead)

        def get(url: str) -> None:
            response = client.get(url)
            assert response.status_code == 200, url

        def minimal() -> None:
            get("/bench/minimal/")

        return [
            compare(
                "team page (10 members)", lambda: get("/teams/bench/"), "minimal view", minimal
            ),
            compare("home page (signed in)", lambda: get("/"), "minimal view", minimal),
        ]
