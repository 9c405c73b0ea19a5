"""The dispatcher and the send task, with Celery running tasks in this process."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command

from planner.plans.models import Plan, PlanStatus
from planner.plans.services import plan_move_start, plan_pause, plan_resume
from planner.reminders import selectors, services
from planner.reminders.models import Delivery, DeliveryState, OptOut, Reminder, ReminderState
from planner.reminders.tasks import dispatch_due, retry_failed, send_deliveries, sweep_stuck
from tests.factories import MembershipFactory, UserFactory
from tests.progress.plans import running_plan, team_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(team, lead) -> Plan:
    return running_plan(team, lead, day=1)


def at(plan: Plan, key: str) -> Any:
    return next(d.at for d in selectors.schedule_of(plan) if d.boundary.key == key)


def dispatch(capture, now) -> services.DispatchResult:
    with capture(execute=True):
        return dispatch_due(now)


def test_kick_off_sends_one_email_per_member_in_their_language(
    django_capture_on_commit_callbacks, plan, lead, engineer, team
):
    german = UserFactory.create(name="Erika", language="de")
    MembershipFactory.create(team=team, user=german)
    result = dispatch(django_capture_on_commit_callbacks, at(plan, "kickoff"))
    assert (result.sent, result.deliveries) == (1, 3)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {lead.email, engineer.email, german.email}
    english = by_recipient[engineer.email]
    assert english.subject == f"[Planner] {team.name}: your plan starts today"
    assert by_recipient[german.email].subject == f"[Planner] {team.name}: Ihr Plan beginnt heute"
    assert isinstance(english, EmailMultiAlternatives)
    html = english.alternatives[0][0]
    assert isinstance(html, str)
    assert "<html" in html
    assert "Open the progress page" in html
    assert f"http://127.0.0.1:8000/teams/{team.slug}/progress/" in english.body
    delivery = Delivery.objects.get(email=engineer.email)
    assert english.extra_headers["Message-ID"] == delivery.message_id
    assert english.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert english.extra_headers["List-Unsubscribe"].startswith(
        "<http://127.0.0.1:8000/reminders/unsubscribe/"
    )
    assert delivery.state == DeliveryState.SENT


def test_dispatching_again_sends_nothing_more(django_capture_on_commit_callbacks, plan):
    now = at(plan, "kickoff") + timedelta(minutes=5)
    dispatch(django_capture_on_commit_callbacks, now)
    sent = len(mail.outbox)
    again = dispatch(django_capture_on_commit_callbacks, now + timedelta(minutes=5))
    assert again.plans == 0  # the plan is not due again until phase 2
    plan.refresh_from_db()
    assert plan.next_reminder_at == at(plan, "phase-2")
    Plan.objects.filter(pk=plan.pk).update(next_reminder_at=now)  # as if a stale read
    dispatch(django_capture_on_commit_callbacks, now + timedelta(minutes=6))
    assert len(mail.outbox) == sent
    assert Reminder.objects.filter(plan=plan).count() == 1


def test_nothing_before_the_local_hour(django_capture_on_commit_callbacks, plan):
    result = dispatch(
        django_capture_on_commit_callbacks, at(plan, "kickoff") - timedelta(seconds=1)
    )
    assert result.plans == 0
    assert mail.outbox == []


def test_after_an_outage_the_latest_boundary_goes_out_once_and_older_ones_are_skipped(
    django_capture_on_commit_callbacks, plan
):
    dispatch(django_capture_on_commit_callbacks, at(plan, "phase-3") + timedelta(hours=30))
    states = dict(Reminder.objects.filter(plan=plan).values_list("key", "state"))
    assert states == {
        "kickoff": ReminderState.SKIPPED,
        "phase-2": ReminderState.SKIPPED,
        "phase-3": ReminderState.DISPATCHED,
    }
    assert {m.subject.split(": ")[-1] for m in mail.outbox} == {"phase 3 starts today"}
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("status", [PlanStatus.FINISHED, PlanStatus.ARCHIVED])
def test_finished_or_archived_plans_send_nothing(django_capture_on_commit_callbacks, plan, status):
    Plan.objects.filter(pk=plan.pk).update(status=status)
    dispatch(django_capture_on_commit_callbacks, at(plan, "phase-2"))
    assert mail.outbox == []


def test_paused_plan_sends_nothing_and_resuming_skips_what_passed(
    django_capture_on_commit_callbacks, plan, lead
):
    plan_pause(plan=plan, user=lead)
    dispatch(django_capture_on_commit_callbacks, at(plan, "phase-2") + timedelta(hours=1))
    assert mail.outbox == []
    plan_resume(plan=plan, user=lead, now=at(plan, "phase-2") + timedelta(hours=2))
    dispatch(django_capture_on_commit_callbacks, at(plan, "phase-2") + timedelta(hours=3))
    assert mail.outbox == []
    keys = dict(Reminder.objects.filter(plan=plan).values_list("key", "state"))
    assert keys == {"kickoff": "skipped", "phase-2": "skipped"}
    dispatch(django_capture_on_commit_callbacks, at(plan, "phase-3"))
    assert len(mail.outbox) == 2


def test_moving_the_start_date_moves_the_reminders(django_capture_on_commit_callbacks, plan, lead):
    old_kick_off = at(plan, "kickoff")
    later = team_today(plan.team) + timedelta(days=7)
    plan_move_start(plan=plan, start_date=later, user=lead)
    dispatch(django_capture_on_commit_callbacks, old_kick_off + timedelta(hours=1))
    assert mail.outbox == []
    plan.refresh_from_db()
    assert plan.next_reminder_at == old_kick_off + timedelta(days=7)
    dispatch(django_capture_on_commit_callbacks, old_kick_off + timedelta(days=7))
    assert len(mail.outbox) == 2


def test_unsubscribed_and_address_less_members_are_recorded_not_mailed(
    django_capture_on_commit_callbacks, plan, team, lead, engineer
):
    OptOut.objects.create(user=engineer, team=team)
    silent = UserFactory.create(email="")
    MembershipFactory.create(team=team, user=silent)
    dispatch(django_capture_on_commit_callbacks, at(plan, "kickoff"))
    assert [m.to for m in mail.outbox] == [[lead.email]]
    reasons = dict(Delivery.objects.values_list("user_id", "reason"))
    assert reasons[engineer.pk] == "unsubscribed"
    assert reasons[silent.pk] == "no email address"


@pytest.fixture
def no_propagation() -> Iterator[None]:
    """Let a task run in this process retry as it would in a worker."""
    from planner.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (451, b"try again later")})


def test_smtp_errors_are_retried_then_marked_failed_for_the_lead(
    django_capture_on_commit_callbacks, plan, settings, no_propagation
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    settings.REMINDER_RETRIES = 2
    with django_capture_on_commit_callbacks(execute=False):
        services.dispatch(at(plan, "kickoff"))
    delivery = Delivery.objects.filter(state=DeliveryState.PENDING).first()
    assert delivery is not None
    # Run in this process, Celery retries at once instead of after the backoff.
    send_deliveries.apply(args=([delivery.pk],), throw=False)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 3)
    assert "SMTPRecipientsRefused" in delivery.reason
    assert mail.outbox == []
    # The lead sends the failed ones again once the server works.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_failed(plan) == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT


def test_a_failed_try_waits_with_a_doubling_backoff(plan, settings):
    from planner.reminders.sending import backoff

    settings.REMINDER_RETRY_SECONDS = 60
    assert [backoff(n) for n in range(4)] == [60, 120, 240, 480]
    assert backoff(30) == 6 * 3600
    now = at(plan, "kickoff")
    services.dispatch(now)
    delivery = Delivery.objects.filter(state=DeliveryState.PENDING).first()
    assert delivery is not None
    assert services.delivery_claim(delivery.pk, now) == 1  # its first attempt
    services.delivery_retry_later(delivery.pk, "SMTPServerDisconnected", now + timedelta(minutes=1))
    delivery.refresh_from_db()
    assert (delivery.state, delivery.reason) == (DeliveryState.PENDING, "SMTPServerDisconnected")
    # Waiting for its retry is not "lost": the sweeper leaves it alone until well after.
    assert services.sweep(now + timedelta(minutes=2)).requeued == 0


def test_a_send_task_run_twice_sends_once(django_capture_on_commit_callbacks, plan):
    with django_capture_on_commit_callbacks(execute=False):
        services.dispatch(at(plan, "kickoff"))
    delivery = Delivery.objects.filter(state=DeliveryState.PENDING).first()
    assert delivery is not None
    assert send_deliveries.apply(args=([delivery.pk],)).get()["sent"] == 1
    again = send_deliveries.apply(args=([delivery.pk],)).get()
    assert (again["sent"], again["not_pending"]) == (0, 0)  # no longer pending: not loaded
    assert len(mail.outbox) == 1


def test_sweep_puts_back_a_delivery_left_sending_by_a_dead_worker(
    django_capture_on_commit_callbacks, plan, settings
):
    now = at(plan, "kickoff")
    with django_capture_on_commit_callbacks(execute=False):
        services.dispatch(now)
    delivery = Delivery.objects.filter(state=DeliveryState.PENDING).first()
    assert delivery is not None
    assert services.delivery_claim(delivery.pk, now)  # the worker took it, then died
    with django_capture_on_commit_callbacks(execute=True):
        early = sweep_stuck(now + timedelta(minutes=1))
    assert early.unstuck == 0
    later = now + timedelta(minutes=settings.REMINDER_STUCK_MINUTES + 1)
    with django_capture_on_commit_callbacks(execute=True):
        swept = sweep_stuck(later)
    assert swept.unstuck == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert delivery.attempts == 2


def test_dispatch_command_takes_a_moment(plan, capsys):
    moment = at(plan, "kickoff").isoformat()
    call_command("dispatch_reminders", "--now", moment, "--sweep")
    out = capsys.readouterr().out
    assert "1 reminders dispatched (2 emails queued)" in out
    assert Reminder.objects.filter(plan=plan, key="kickoff").exists()


def test_dispatch_command_refuses_a_malformed_moment(plan):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not an ISO 8601 moment"):
        call_command("dispatch_reminders", "--now", "next tuesday")


@time_machine.travel("2027-03-10 06:00 +0000")
def test_a_new_team_time_zone_moves_the_reminders(django_capture_on_commit_callbacks, team, lead):
    from planner.teams.services import team_update

    plan = running_plan(team, lead, day=1)
    assert plan.next_reminder_at == datetime(2027, 3, 10, 8, tzinfo=UTC)  # 09:00 in Zurich
    team_update(team=team, name=team.name, time_zone="America/New_York", language="en")
    dispatch(django_capture_on_commit_callbacks, datetime(2027, 3, 10, 8, tzinfo=UTC))
    assert mail.outbox == []
    plan.refresh_from_db()
    assert plan.next_reminder_at == datetime(2027, 3, 10, 14, tzinfo=UTC)  # 09:00 EST
    dispatch(django_capture_on_commit_callbacks, datetime(2027, 3, 10, 14, tzinfo=UTC))
    assert len(mail.outbox) == 2


def test_building_an_email_costs_the_same_queries_for_few_and_many_tasks(
    plan, engineer, django_assert_max_num_queries
):
    from planner.reminders.emails import ReminderMail, boundary_of
    from tests.progress.plans import add_tasks

    boundary = boundary_of(plan, "phase-2")
    with django_assert_max_num_queries(30) as few:
        ReminderMail(plan, boundary).email(engineer, message_id="<a@b>")
    add_tasks(plan, 120, [engineer])  # records activities: the cached digest is stale
    with django_assert_max_num_queries(len(few.captured_queries)):
        ReminderMail(plan, boundary).email(engineer, message_id="<a@b>")


def test_the_emails_of_one_reminder_are_written_without_further_queries(
    plan, lead, engineer, django_assert_num_queries
):
    from planner.progress.services import task_complete
    from planner.reminders.emails import ReminderMail, boundary_of

    boundary = boundary_of(plan, "phase-2")
    mail = ReminderMail(plan, boundary)
    first = mail.email(lead, message_id="<a@b>")
    with django_assert_num_queries(0):
        mail.email(engineer, message_id="<b@b>")
        mail.email(lead, message_id="<c@b>")
    task = plan.tasks.filter(phase=1).order_by("day").first()
    assert task is not None
    task_complete(task_id=task.pk, user=engineer)
    after = ReminderMail(plan, boundary).email(lead, message_id="<c@b>")
    assert first.body != after.body  # one more done in phase 1: a new reminder sees it


def test_a_shared_task_reads_as_its_part_in_the_email(plan, engineer):
    from planner.plans.models import PlanTask
    from planner.reminders.emails import ReminderMail, boundary_of

    task = plan.tasks.filter(phase=2).order_by("pk").first()
    assert task is not None
    PlanTask.objects.filter(pk=task.pk).update(assignee=engineer, part=2, parts=3)
    message = ReminderMail(plan, boundary_of(plan, "phase-2")).email(engineer, message_id="<p@t>")
    assert f"{task.own_title} (part 2 of 3)" in message.body
