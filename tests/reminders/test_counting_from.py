"""The moment a plan's reminders count from: set when it starts, resumes or moves day 1;
the dispatcher skips a boundary before it and sends the rest at their hour."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from planner.assessment.examples import MANUAL
from planner.assessment.models import Assessment
from planner.plans.models import Plan
from planner.plans.services import plan_generate, plan_move_start, plan_start
from planner.playbook.loader import get_playbook
from planner.reminders import selectors, services
from planner.reminders.models import Reminder, ReminderState
from planner.reminders.tasks import dispatch_due
from tests.progress.plans import running_plan, team_today

pytestmark = pytest.mark.django_db
ZURICH = ZoneInfo("Europe/Zurich")  # the teams' time zone


def draft(team: Any, lead: Any) -> Plan:
    playbook = get_playbook()
    assessment = Assessment.objects.create(
        team=team, created_by=lead, playbook_version=playbook.version, answers=MANUAL
    )
    return plan_generate(
        assessment=assessment, playbook=playbook, user=lead, length=30, start=team_today(team)
    )


def at(plan: Plan, key: str) -> datetime:
    return next(d.at for d in selectors.schedule_of(plan) if d.boundary.key == key)


def dispatch(capture: Any, now: datetime) -> services.DispatchResult:
    with capture(execute=True):
        return dispatch_due(now)


def ledger(plan: Plan) -> dict[str, str]:
    return dict(Reminder.objects.filter(plan=plan).values_list("key", "state"))


def test_a_plan_started_for_tomorrow_sends_its_kick_off_at_the_hour_of_day_one(
    django_capture_on_commit_callbacks, team, lead
):
    plan = draft(team, lead)
    plan_start(plan=plan, start_date=team_today(team) + timedelta(days=1), user=lead)
    assert plan.started_at is not None
    assert dispatch(django_capture_on_commit_callbacks, plan.started_at).plans == 1
    assert mail.outbox == []
    plan.refresh_from_db()
    assert plan.next_reminder_at == at(plan, "kickoff")
    dispatch(django_capture_on_commit_callbacks, at(plan, "kickoff"))
    assert len(mail.outbox) == 2
    assert ledger(plan) == {"kickoff": ReminderState.DISPATCHED}


def test_a_plan_started_on_its_day_one_after_the_hour_still_sends_its_kick_off(
    django_capture_on_commit_callbacks, team, lead
):
    afternoon = datetime.combine(team_today(team), time(settings.REMINDER_HOUR + 6), ZURICH)
    with time_machine.travel(afternoon, tick=False):
        plan = draft(team, lead)
        plan_start(plan=plan, start_date=team_today(team), user=lead)
    dispatch(django_capture_on_commit_callbacks, afternoon + timedelta(minutes=5))
    assert {m.subject.split(": ")[-1] for m in mail.outbox} == {"your plan starts today"}
    assert len(mail.outbox) == 2


def test_moving_day_one_back_skips_the_kick_off_it_puts_in_the_past(
    django_capture_on_commit_callbacks, team, lead
):
    plan = running_plan(team, lead, day=1)  # before the reminder hour of day 1
    plan_move_start(plan=plan, start_date=team_today(team) - timedelta(days=7), user=lead)
    # Day 8 now: the kick-off a week ago is skipped, phase 2 goes out at today's hour.
    assert plan.reminders_from is not None
    dispatch(django_capture_on_commit_callbacks, plan.reminders_from)
    assert mail.outbox == []
    assert ledger(plan) == {"kickoff": ReminderState.SKIPPED}
    plan.refresh_from_db()
    assert plan.next_reminder_at == at(plan, "phase-2")
    dispatch(django_capture_on_commit_callbacks, at(plan, "phase-2"))
    assert {m.subject.split(": ")[-1] for m in mail.outbox} == {"phase 2 starts today"}


@time_machine.travel("2027-03-10 06:00 +0000")
def test_a_boundary_a_new_time_zone_puts_in_the_past_goes_out_at_once(
    django_capture_on_commit_callbacks, team, lead
):
    from planner.teams.services import team_update

    plan = running_plan(team, lead, day=1)  # kick-off at 09:00 in Zurich, 08:00 UTC
    # 09:00 in Tokyo was 00:00 UTC: the kick-off has come and not gone out yet.
    team_update(team=team, name=team.name, time_zone="Asia/Tokyo", language="en")
    dispatch(django_capture_on_commit_callbacks, datetime(2027, 3, 10, 6, 1, tzinfo=UTC))
    assert len(mail.outbox) == 2
    assert ledger(plan) == {"kickoff": ReminderState.DISPATCHED}


@time_machine.travel("2027-03-10 06:00 +0000")
def test_renaming_the_team_leaves_when_its_plan_is_looked_at(team, lead):
    from planner.teams.services import team_update

    plan = running_plan(team, lead, day=1)
    team_update(team=team, name="Renamed", time_zone=team.time_zone, language="de")
    plan.refresh_from_db()
    assert plan.next_reminder_at == datetime(2027, 3, 10, 8, tzinfo=UTC)
