"""API fixtures: a running plan, and the lead's read and write tokens for the team."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from planner.api.models import Scope
from planner.api.services import api_token_create
from planner.plans.models import Plan
from tests.progress.plans import running_plan

# Monday 1 February 2027, 10:00 in Zurich: day 3 of the plan.
NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def now() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def plan(now: Any, team: Any, lead: Any) -> Plan:
    return running_plan(team, lead, day=3)


def _token(team: Any, lead: Any, scope: Scope, name: str) -> str:
    return api_token_create(
        team=team, user=lead, name=name, scope=scope, expires_at=NOW + timedelta(days=90), now=NOW
    ).secret


@pytest.fixture
def write_token(now: Any, team: Any, lead: Any) -> str:
    return _token(team, lead, Scope.WRITE, "CI pipeline")


@pytest.fixture
def read_token(now: Any, team: Any, lead: Any) -> str:
    return _token(team, lead, Scope.READ, "Dashboard script")


class Api:
    """A client that sends the token on every request and JSON bodies."""

    def __init__(self, token: str | None, client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **headers: str) -> Any:
        return self.client.get("/api/v1" + path, headers={**self.headers, **headers})

    def post(self, path: str, body: object, **headers: str) -> Any:
        return self.client.post(
            "/api/v1" + path,
            data=body,
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def put(self, path: str, body: object, **headers: str) -> Any:
        return self.client.put(
            "/api/v1" + path,
            data=body,
            content_type="application/json",
            headers={**self.headers, **headers},
        )


@pytest.fixture
def api(write_token: str) -> Api:
    return Api(write_token)


@pytest.fixture
def reader(read_token: str) -> Api:
    return Api(read_token)
