"""A real journey with every logger at DEBUG, written as production writes it (JSON), and
the whole log searched for what must never be in it: the password, an API token, a
password reset key, the session cookie, SECRET_KEY and the text of an email."""

from __future__ import annotations

import logging
import re

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client

from planner.demo.team import DEMO_PASSWORD, demo_load
from planner.plans.models import Plan
from tests.core.logcapture import captured_logs

pytestmark = pytest.mark.django_db


def test_a_journey_logs_no_secret():
    team = demo_load()
    plan = Plan.objects.get(team=team, status="active")
    client = Client()
    # SQL is logged only where DEBUG is on or a cursor is forced to; force it, so that
    # `django.db.backends` would write its statements, with their parameters, if its
    # level let it.
    connection.force_debug_cursor = True
    try:
        with captured_logs(level="DEBUG") as logs:
            signed_in = client.post(
                "/accounts/login/", {"login": "lead@example.com", "password": DEMO_PASSWORD}
            )
            assert signed_in.status_code == 302
            session = client.cookies[settings.SESSION_COOKIE_NAME].value

            created = client.post(
                f"/teams/{team.slug}/api-tokens/",
                {"name": "CI pipeline", "scope": "write", "lifetime": "90"},
            )
            token = re.search(r"plnr_[A-Za-z0-9_-]+", created.content.decode())
            assert token, created.content.decode()
            api = Client().get(
                "/api/v1/teams", headers={"Authorization": f"Bearer {token.group(0)}"}
            )
            assert api.status_code == 200

            client.post(f"/teams/{team.slug}/plans/{plan.pk}/reminders/test/", {"key": "kickoff"})
            [reminder] = mail.outbox
            sentence = max(reminder.body.splitlines(), key=len).strip()
            assert len(sentence) > 30

            Client().post("/accounts/password/reset/", {"email": "engineer@example.com"})
            reset = str(mail.outbox[-1].body)
            key = re.search(r"/accounts/password/reset/key/([^/\s]+)/", reset)
            assert key, reset
            stranger = Client()
            assert stranger.get(key.group(0)).status_code == 302
            stranger.post(
                "/accounts/password/reset/key/" + key.group(1) + "/",
                {"password1": "a-new-secret-987", "password2": "a-new-secret-987"},
            )
            logging.getLogger("planner.test").debug("probe")
    finally:
        connection.force_debug_cursor = False

    text = logs.text
    # The capture works: DEBUG lines reach it, and the journey's own lines are in it.
    assert {"level": "DEBUG", "message": "probe"}.items() <= logs.of("planner.test")[0].items()
    [sent] = [line for line in logs.lines() if line["message"].startswith("Test reminder sent")]
    assert sent["request_id"] != "-"
    for secret in (
        DEMO_PASSWORD,
        token.group(0),
        key.group(1),
        session,
        settings.SECRET_KEY,
        sentence,
        "a-new-secret-987",
    ):
        assert secret not in text, f"{secret!r} is in the log"
