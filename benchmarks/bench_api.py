"""Listing a running plan's 300 tasks through the API (one page, a write token) against a
minimal view on the same middleware stack, in the same run.

Goal (issue 15): the listing serves at least 30% of the minimal view's rate. Also printed:
the first page at the default page size (50 tasks), what a client reads first.
"""

from __future__ import annotations

from datetime import timedelta

from django.test import Client, override_settings
from django.utils import timezone

from benchmarks.bench_dashboard import _setup
from benchmarks.harness import Figure, compare
from planner.api.main import THROTTLE
from planner.api.models import Scope
from planner.api.services import api_token_create

SLUG = "bench-api"


def run() -> list[Figure]:
    lead, _engineer = _setup(SLUG)
    team = lead.memberships.get().team
    secret = api_token_create(
        team=team,
        user=lead,
        name="bench",
        scope=Scope.WRITE,
        expires_at=timezone.now() + timedelta(days=30),
    ).secret
    # The limit stays in the path (one cache read and write per request), but high enough
    # for a benchmark's thousands of requests a minute.
    THROTTLE.num_requests = 10_000_000
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    url = f"/api/v1/teams/{SLUG}/plans/active/tasks?page_size=300"
    first_page = f"/api/v1/teams/{SLUG}/plans/active/tasks"

    def listing() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.content[:200]

    def default_page() -> None:
        response = client.get(first_page)
        assert response.status_code == 200, response.content[:200]

    def minimal() -> None:
        assert client.get("/bench/minimal/").status_code == 200

    with override_settings(ROOT_URLCONF="benchmarks.bench_dashboard"):
        first = client.get(url).json()
        assert len(first["items"]) == 300, first["count"]
        return [
            compare("API: 300 tasks in one page", listing, "minimal view", minimal),
            compare("API: first page of 300 tasks (50)", default_page, "minimal view", minimal),
        ]
