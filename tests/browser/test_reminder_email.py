"""The HTML reminder email, rendered in Chromium and saved as a screenshot."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from planner.plans.models import TaskStatus
from planner.reminders.emails import ReminderMail, boundary_of
from tests.progress.plans import running_plan
from tests.reminders.mail import html_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "de"])
def test_phase_reminder_email_renders(page: Page, shot, lead, engineer, team, language):
    engineer.language = language
    engineer.save()
    plan = running_plan(team, lead, day=8)
    plan.tasks.filter(phase=2).update(assignee=engineer)
    first = plan.tasks.filter(phase=1).order_by("day")
    done = list(first.values_list("pk", flat=True)[:5])
    plan.tasks.filter(pk__in=done).update(status=TaskStatus.DONE, closed_at=timezone.now())
    mail = ReminderMail(plan, boundary_of(plan, "phase-2"))
    message = mail.email(engineer, message_id="<test@example.org>")
    page.set_content(html_of(message))
    heading = "Phase 2 starts today" if language == "en" else "Phase 2 beginnt heute"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("table")).to_be_visible()
    shot(f"phase-2-email-{language}")
    assert "Phase 1: 5 of" in message.body or "Phase 1: 5 von" in message.body
    # On a phone's mail app (375 px) the email fits its width: no sideways scroll.
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(f"phase-2-email-{language}-375")


@pytest.mark.django_db(transaction=True)
def test_lead_reads_the_schedule_and_sends_a_test_reminder(
    live_server, page: Page, shot, lead, engineer, team
):
    from django.core import mail

    from tests.factories import PASSWORD

    plan = running_plan(team, lead, day=3)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email:").fill(lead.email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{live_server.url}/teams/{team.slug}/progress/")
    page.get_by_role("link", name="Reminder schedule and test email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reminders")
    expect(page.locator("#boundary-kickoff")).to_contain_text("due")  # the next dispatch
    expect(page.locator("#boundary-phase-2")).to_contain_text("upcoming")
    page.get_by_role("button", name="Send test").click()
    expect(page.locator(".messages")).to_contain_text(f"on its way to {lead.email}")
    shot("schedule")
    assert [m.to for m in mail.outbox] == [[lead.email]]
    assert not plan.reminders.exists()
