"""`python manage.py demo`: the demo team and logins, loaded twice without harm."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from planner.accounts.models import User
from planner.assessment.models import Assessment
from planner.plans.models import Activity, Plan, PlanStatus, TaskStatus
from planner.progress.selectors import dashboard, kpi_cards
from planner.teams.models import Membership

pytestmark = pytest.mark.django_db


def test_demo_creates_team_with_lead_and_two_engineers(settings):
    settings.DEBUG = True
    call_command("demo", stdout=None)
    roles = dict(Membership.objects.filter(team__slug="demo").values_list("user__email", "role"))
    assert roles == {
        "lead@example.com": "lead",
        "engineer@example.com": "engineer",
        "engineer2@example.com": "engineer",
    }
    assert User.objects.get(email="engineer2@example.com").language == "de"


def test_demo_is_idempotent(settings):
    settings.DEBUG = True
    call_command("demo")
    call_command("demo")
    assert User.objects.count() == 3
    assert Membership.objects.count() == 3
    assert Plan.objects.count() == 1


def test_demo_plan_is_in_its_third_phase_with_a_history(settings):
    settings.DEBUG = True
    call_command("demo")
    plan = Plan.objects.get(team__slug="demo")
    assert plan.status == PlanStatus.ACTIVE
    board = dashboard(plan, timezone.now())
    assert board.day == 17
    assert board.phase == 3
    done = plan.tasks.filter(status=TaskStatus.DONE)
    # Everything due before day 17 is closed, but three tasks left open and one skipped.
    assert done.count() == plan.tasks.filter(day__lt=17).count() - 4 > 5
    assert done.values("closed_by").distinct().count() == 3  # everyone ticked something
    assert plan.tasks.filter(status=TaskStatus.SKIPPED).count() == 1
    assert board.overdue_count >= 3
    assert plan.tasks.exclude(evidence_url="").exists()
    assert all(len(card.measurements) >= 5 for card in kpi_cards(plan))
    assert Activity.objects.filter(plan=plan).count() > 50


def test_demo_login_works_with_the_printed_password(settings):
    settings.DEBUG = True
    call_command("demo")
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "lead@example.com", "password": "planner-demo"}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].email == "lead@example.com"


def test_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("demo")
    assert not User.objects.exists()


def test_demo_reminders_up_to_phase_three_are_sent_and_phase_four_is_next(settings):
    from planner.reminders.models import Delivery, Reminder
    from planner.reminders.selectors import schedule_of

    settings.DEBUG = True
    call_command("demo")
    plan = Plan.objects.get(team__slug="demo")
    assert list(Reminder.objects.filter(plan=plan).values_list("key", flat=True)) == [
        "kickoff",
        "phase-2",
        "phase-3",
    ]
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
    phase_four = next(d.at for d in schedule_of(plan) if d.boundary.key == "phase-4")
    assert plan.next_reminder_at == phase_four


def test_demo_loads_over_a_half_done_assessment_and_no_plan(settings):
    settings.DEBUG = True
    call_command("demo")
    Plan.objects.all().delete()
    lead = User.objects.get(email="lead@example.com")
    Assessment.objects.create(team=lead.memberships.get().team, created_by=lead, answers={})
    call_command("demo")
    plan = Plan.objects.get(team__slug="demo")
    assert plan.status == PlanStatus.ACTIVE
    assert not Assessment.objects.filter(completed_at__isnull=True).exists()
