from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from planner.plans.models import Plan
from planner.webhooks import services
from planner.webhooks.models import Endpoint
from tests.progress.plans import running_plan
from tests.webhooks.receiver import Receiver

ALL_EVENTS = [
    "task.done",
    "task.reopened",
    "measurement.recorded",
    "target.reached",
    "phase.started",
    "plan.finished",
]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def plan(team: Any, lead: Any) -> Plan:
    return running_plan(team, lead, day=3)


def webhook(
    team: Any, lead: Any, receiver: Receiver, path: str = "/hook", events: list[str] | None = None
) -> Endpoint:
    """A webhook endpoint at the receiver, which learns its secret to check signatures."""
    endpoint, secret = services.endpoint_create(
        team=team, user=lead, url=receiver.url(path), description="CI", events=events or ALL_EVENTS
    )
    receiver.secrets[path] = secret
    return endpoint


@pytest.fixture
def endpoint(team: Any, lead: Any, receiver: Receiver) -> Endpoint:
    return webhook(team, lead, receiver)
