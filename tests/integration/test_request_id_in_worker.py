"""The request id crosses the broker: a real Celery worker (Redis, the test database) logs
the reminder ledger's lines of a task published during a request with that request's id,
keeps it for the task that task publishes (a retry), and gives a task published outside
any request (as beat's are) an id of its own."""

from __future__ import annotations

import json
import re
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import Celery
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from planner.core.logs import RequestIdMiddleware
from planner.reminders import selectors, services
from planner.reminders.models import Delivery, DeliveryState
from tests.integration.workers import sending_app, start_worker, stop_worker
from tests.progress.plans import running_plan

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
# This test's own database (test_celery_worker empties 15, and the two may run at once),
# emptied after each test.
BROKER = "redis://127.0.0.1:6379/13"


def closed_port() -> int:
    """A port nothing listens on: the worker's SMTP connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def queue() -> Iterator[str]:
    name = f"planner-request-id-{uuid.uuid4().hex[:8]}"
    yield name
    redis.Redis.from_url(BROKER).flushdb()


@pytest.fixture
def worker(queue: str, tmp_path: Path) -> Iterator[Path]:
    db = connection.settings_dict
    log = tmp_path / "worker.log"
    env = {
        "DEBUG": "true",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "CELERY_BROKER_URL": BROKER,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_BACKEND": "smtp",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(closed_port()),
        "REMINDER_RETRIES": "1",
        "REMINDER_RETRY_SECONDS": "0.1",
    }
    process = start_worker(env, log, "--pool=solo", f"--queues={queue}")
    yield log
    stop_worker(process)


@pytest.fixture
def client_app() -> Iterator[Celery]:
    app = sending_app(BROKER)
    yield app
    app.close()


def pending_deliveries(team: Any, lead: Any) -> list[int]:
    """The kick-off's deliveries of a plan started today: the tests call it before the
    reminder hour (`before_the_reminder_hour`), so the kick-off is still to come."""
    plan = running_plan(team, lead, day=1)
    kickoff = next(d.at for d in selectors.schedule_of(plan) if d.boundary.key == "kickoff")
    services.dispatch(kickoff)
    return list(
        Delivery.objects.filter(reminder__plan=plan, state=DeliveryState.PENDING).values_list(
            "pk", flat=True
        )
    )


def ledger_lines(log: Path, delivery_ids: list[int], events: set[str]) -> list[dict[str, Any]]:
    lines = [
        json.loads(line)
        for line in log.read_text(errors="replace").splitlines()
        if line.startswith("{")
    ]
    return [
        line
        for line in lines
        if line.get("delivery_id") in delivery_ids and line.get("ledger_event") in events
    ]


def wait_for(log: Path, delivery_ids: list[int], events: set[str], count: int) -> list[Any]:
    deadline = time.monotonic() + 60
    found: list[Any] = []
    while time.monotonic() < deadline:
        found = ledger_lines(log, delivery_ids, events)
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{events} not logged:\n{log.read_text(errors='replace')[-4000:]}")


def test_request_id_crosses_the_broker_into_the_task_and_its_retry(
    before_the_reminder_hour, worker: Path, client_app: Celery, queue: str, team, lead
):
    ids = pending_deliveries(team, lead)
    assert ids

    def view(request: HttpRequest) -> HttpResponse:
        client_app.send_task("planner.reminders.send_batch", args=[ids], queue=queue)
        return HttpResponse()

    response = RequestIdMiddleware(view)(RequestFactory().post("/"))
    request_id = response["X-Request-ID"]

    failed = {"delivery failed, retry later", "delivery failed, given up"}
    lines = wait_for(worker, ids, failed, 2 * len(ids))
    # The first try failed in the task the request published; the second in the task that
    # task published for the retry: both with the request's id.
    assert {line["ledger_event"] for line in lines} == failed
    assert {line["request_id"] for line in lines} == {request_id}
    claimed = ledger_lines(worker, ids, {"delivery claimed"})
    assert {line["request_id"] for line in claimed} == {request_id}
    assert all(line["team_id"] == team.pk and line["boundary"] == "kickoff" for line in lines)


def test_task_published_outside_a_request_gets_an_id_of_its_own(
    before_the_reminder_hour, worker: Path, client_app: Celery, queue: str, team, lead
):
    ids = pending_deliveries(team, lead)
    client_app.send_task("planner.reminders.send_batch", args=[ids], queue=queue)
    [claimed, *_] = wait_for(worker, ids, {"delivery claimed"}, 1)
    assert re.fullmatch(r"[0-9a-f]{32}", claimed["request_id"])
