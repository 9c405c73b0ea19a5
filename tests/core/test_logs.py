"""Structured logs: the JSON shape, the request id of each request (and of the tasks it
starts), and which incoming ids are kept."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client

from planner.config import Settings
from planner.core.logs import redact_path, request_id
from tests.core.logcapture import captured_logs

pytestmark = pytest.mark.django_db

HEX_ID = re.compile(r"[0-9a-f]{32}")


def test_a_response_carries_a_new_request_id(client: Client):
    first = client.get("/accounts/login/")["X-Request-ID"]
    second = client.get("/accounts/login/")["X-Request-ID"]
    assert HEX_ID.fullmatch(first)
    assert HEX_ID.fullmatch(second)
    assert first != second


@pytest.mark.parametrize("incoming", ["abcd1234", "edge-42.a_b", "A" * 64])
def test_a_sane_incoming_request_id_is_kept(client: Client, incoming: str):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] == incoming


@pytest.mark.parametrize(
    "incoming", ["short", "A" * 65, "has space 123", "line\nbreak123", '"quoted"123', "é" * 10]
)
def test_an_odd_incoming_request_id_is_replaced(client: Client, incoming: str):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID=incoming)
    assert HEX_ID.fullmatch(response["X-Request-ID"])


def test_probes_stay_without_request_id(client: Client):
    assert "X-Request-ID" not in client.get("/healthz")


def test_log_lines_of_a_request_carry_its_id_in_json(client: Client):
    with captured_logs() as logs:
        response = client.get("/no-such-page/")
    assert response.status_code == 404
    [line] = logs.of("django.request")
    assert line["request_id"] == response["X-Request-ID"]
    assert line["level"] == "WARNING"
    assert line["message"] == "Not Found: /no-such-page/"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", line["timestamp"])
    assert "request" not in line  # the request object's repr, with its path, stays out
    assert request_id.get() is None  # nothing left behind after the request


def test_an_exception_is_in_its_line_and_extra_fields_are_fields():
    with captured_logs() as logs:
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("planner.test").exception("it failed", extra={"team_id": 7})
    [line] = logs.lines()
    assert line["logger"] == "planner.test"
    assert line["level"] == "ERROR"
    assert line["team_id"] == 7
    assert line["request_id"] == "-"
    assert "ValueError: boom" in line["exception"]


def test_a_not_found_secret_path_is_redacted(client: Client):
    with captured_logs() as logs:
        client.get("/calendar/s3cr3t-t0ken/my-tasks.ics")
    assert "s3cr3t-t0ken" not in logs.text
    assert "Not Found: /calendar/[redacted]" in logs.text


@pytest.mark.parametrize(
    ("path", "redacted"),
    [
        ("/calendar/tok/my-tasks.ics", "/calendar/[redacted]"),
        ("/de/invitations/tok/", "/de/invitations/[redacted]"),
        ("/accounts/password/reset/key/1-abc/", "/accounts/password/reset/key/[redacted]"),
        ("/accounts/confirm-email/key/", "/accounts/confirm-email/[redacted]"),
        (
            '"POST /reminders/unsubscribe/tok/ HTTP/1.1"',
            '"POST /reminders/unsubscribe/[redacted] HTTP/1.1"',
        ),
        ("/teams/ml-platform/", "/teams/ml-platform/"),
    ],
)
def test_secret_paths_are_redacted(path: str, redacted: str):
    assert redact_path(path) == redacted


def test_task_published_during_a_request_logs_with_its_id(client: Client, lead, team):
    from tests.progress.plans import running_plan

    plan = running_plan(team, lead, day=1)
    client.force_login(lead)
    url = f"/teams/{team.slug}/plans/{plan.pk}/reminders/test/"
    with captured_logs() as logs:
        response = client.post(url, {"key": "kickoff"})
    assert response.status_code == 302
    [line] = [
        line for line in logs.of("planner.reminders.tasks") if "Test reminder" in line["message"]
    ]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["team_id"] == team.pk


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DEBUG": "false"}, "json"),
        ({"DEBUG": "true"}, "text"),
        ({"DEBUG": "true", "LOG_FORMAT": "json"}, "json"),
    ],
)
def test_log_format_follows_debug_unless_set(monkeypatch, env, expected):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert Settings(_env_file=None).effective_log_format == expected


def test_log_level_is_read_in_any_case(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "debug")
    assert Settings(_env_file=None).log_level == "DEBUG"
