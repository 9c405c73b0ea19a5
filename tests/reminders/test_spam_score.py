"""Planner's emails as SpamAssassin (Debian's, local rules only, no network) reads them:
no rule about invisible text, which a styled button or a small rem font used to trip."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from django.core import mail

from planner.reminders.emails import ReminderMail, boundary_of
from tests.progress.plans import running_plan

pytestmark = pytest.mark.django_db


def _tests_hit(raw: bytes) -> list[str]:
    if shutil.which("spamassassin") is None:
        if os.environ.get("CI"):
            pytest.fail("needs spamassassin (make test installs it from Debian)")
        pytest.skip("needs spamassassin (apt-get install spamassassin)")
    done = subprocess.run(
        ["spamassassin", "-t", "-L"], input=raw, capture_output=True, timeout=180, check=True
    )
    report = done.stdout.decode(errors="replace")
    status = re.search(r"X-Spam-Status: (.*?)\n(?=\S)", report, re.S)
    assert status, report[:2000]
    return re.findall(r"[A-Z][A-Z0-9_]+", status.group(1).split("tests=", 1)[-1])


def test_the_reminder_email_trips_no_invisible_text_rule(lead, engineer, team):
    plan = running_plan(team, lead, day=8)
    message = ReminderMail(plan, boundary_of(plan, "phase-2")).email(
        engineer, message_id="<reminder.1.2@planner.example.org>"
    )
    hit = _tests_hit(message.message().as_bytes())
    assert "HTML_MESSAGE" in hit  # the report was read
    assert not [rule for rule in hit if "INVIS" in rule]


def test_the_invitation_email_trips_no_invisible_text_rule(
    client, lead, team, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/teams/{team.slug}/invitations/", {"email": "new@example.org", "role": "engineer"}
        )
    hit = _tests_hit(mail.outbox[0].message().as_bytes())
    assert "HTML_MESSAGE" in hit
    assert not [rule for rule in hit if "INVIS" in rule]
