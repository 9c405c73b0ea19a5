"""Each event type reaches a webhook endpoint once, signed, with the facts a receiver
needs; deliveries go to a real HTTP server on 127.0.0.1 that checks the signature."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from planner.plans.models import Activity, Plan
from planner.progress import services as progress
from planner.webhooks.models import Delivery, DeliveryState, Event
from planner.webhooks.tasks import dispatch_due
from tests.webhooks.conftest import webhook

pytestmark = pytest.mark.django_db


def first_task(plan: Plan):
    return plan.tasks.select_related("assignee").order_by("day", "pk").first()


def test_a_ticked_task_is_posted_once_signed_with_its_facts(
    django_capture_on_commit_callbacks, plan, team, lead, engineer, endpoint, receiver
):
    task = first_task(plan)
    with django_capture_on_commit_callbacks(execute=True):
        progress.task_complete(task_id=task.pk, user=engineer)
    [got] = receiver.at("/hook")
    assert got.verified is True
    assert got.headers["webhook-id"] == Event.objects.get().message_id
    body = got.json()
    assert body["type"] == "task.done"
    assert body["timestamp"].endswith("Z")
    data = body["data"]
    assert data["team"] == {
        "slug": "ml-platform",
        "name": "ML Platform",
        "url": "http://127.0.0.1:8000/teams/ml-platform/",
    }
    assert data["plan"]["url"] == f"http://127.0.0.1:8000/teams/ml-platform/plans/{plan.pk}/"
    assert data["task"]["id"] == task.pk
    assert data["task"]["status"] == "done"
    assert data["task"]["title"] == task.title["en"]
    assert data["task"]["url"].endswith(f"/plans/{plan.pk}/tasks/{task.pk}/")
    assert data["actor"] == {"name": "Emil Engineer"}
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.status_code, delivery.attempts) == ("sent", 200, 1)


def test_a_reopened_task_is_posted(
    django_capture_on_commit_callbacks, plan, lead, endpoint, receiver
):
    task = first_task(plan)
    with django_capture_on_commit_callbacks(execute=True):
        progress.task_complete(task_id=task.pk, user=lead)
        progress.task_reopen(task_id=task.pk, user=lead)
    assert [r.json()["type"] for r in receiver.at("/hook")] == ["task.done", "task.reopened"]


def test_a_measurement_that_reaches_its_target_is_posted_twice_only_then(
    django_capture_on_commit_callbacks, plan, lead, endpoint, receiver
):
    latency = plan.kpi_targets.get(kpi_id="avg_latency")  # lower is better: 240 -> 192 ms
    now = plan.started_at
    with django_capture_on_commit_callbacks(execute=True):
        progress.measurement_record(target=latency, user=lead, value=216, measured_at=now)
        progress.measurement_record(target=latency, user=lead, value=180, measured_at=now)
        progress.measurement_record(target=latency, user=lead, value=170, measured_at=now)
    types = [r.json()["type"] for r in receiver.at("/hook")]
    assert types == [
        "measurement.recorded",
        "measurement.recorded",
        "target.reached",
        "measurement.recorded",  # already there: reached once, not again
    ]
    reached = receiver.at("/hook")[2].json()["data"]
    assert reached["kpi"]["id"] == "avg_latency"
    assert (reached["kpi"]["baseline"], reached["kpi"]["target"]) == (240, 192)
    assert (reached["kpi"]["latest"], reached["kpi"]["reached"]) == (180, True)
    assert reached["measurement"] == {"value": 180}


def test_an_older_measurement_recorded_late_does_not_reach_the_target(
    django_capture_on_commit_callbacks, plan, lead, endpoint, receiver
):
    latency = plan.kpi_targets.get(kpi_id="avg_latency")
    now = plan.started_at
    with django_capture_on_commit_callbacks(execute=True):
        progress.measurement_record(target=latency, user=lead, value=216, measured_at=now)
        # A good value from yesterday: the latest value is still today's 216.
        progress.measurement_record(
            target=latency, user=lead, value=150, measured_at=now - timedelta(days=1)
        )
    types = [r.json()["type"] for r in receiver.at("/hook")]
    assert types == ["measurement.recorded", "measurement.recorded"]


def test_a_finished_plan_is_posted(
    django_capture_on_commit_callbacks, plan, lead, endpoint, receiver
):
    with django_capture_on_commit_callbacks(execute=True):
        progress.plan_finish(plan=plan, user=lead)
    [got] = receiver.at("/hook")
    assert got.json()["type"] == "plan.finished"
    assert got.json()["data"]["plan"]["status"] == "finished"


def test_a_phase_start_is_posted_at_its_first_day(
    django_capture_on_commit_callbacks, plan, endpoint, receiver
):
    from planner.reminders.selectors import schedule_of

    due = next(d for d in schedule_of(plan) if d.boundary.key == "phase-2")
    with (
        time_machine.travel(due.at - timedelta(minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dispatch_due()
    assert receiver.at("/hook") == []
    with (
        time_machine.travel(due.at + timedelta(minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dispatch_due()
    with (
        time_machine.travel(due.at + timedelta(minutes=6)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dispatch_due()  # the next beat: nothing more
    [got] = receiver.at("/hook")
    body = got.json()
    assert body["type"] == "phase.started"
    first, last = plan.phase_days(2)
    assert body["data"]["phase"]["number"] == 2
    assert body["data"]["phase"]["first_date"] == str(plan.date_of_day(first))
    assert body["data"]["phase"]["last_date"] == str(plan.date_of_day(last))
    assert got.verified


def test_only_the_chosen_events_are_sent(
    django_capture_on_commit_callbacks, plan, team, lead, receiver
):
    webhook(team, lead, receiver, "/done-only", events=["task.done"])
    task = first_task(plan)
    with django_capture_on_commit_callbacks(execute=True):
        progress.task_complete(task_id=task.pk, user=lead)
        progress.task_reopen(task_id=task.pk, user=lead)
    assert [r.json()["type"] for r in receiver.at("/done-only")] == ["task.done"]


def test_a_paused_endpoint_gets_nothing(
    django_capture_on_commit_callbacks, plan, lead, endpoint, receiver
):
    from planner.webhooks import services

    services.endpoint_set_active(endpoint=endpoint, active=False)
    with django_capture_on_commit_callbacks(execute=True):
        progress.task_complete(task_id=first_task(plan).pk, user=lead)
    assert receiver.received == []
    assert not Delivery.objects.exists()


def test_another_teams_changes_are_not_sent(
    django_capture_on_commit_callbacks, lead, endpoint, receiver
):
    from tests.factories import MembershipFactory, TeamFactory
    from tests.progress.plans import running_plan

    other = TeamFactory.create()
    MembershipFactory.create(team=other, user=lead, role="lead")
    theirs = running_plan(other, lead)
    with django_capture_on_commit_callbacks(execute=True):
        progress.task_complete(task_id=first_task(theirs).pk, user=lead)
    assert receiver.received == []


def test_a_tick_queues_a_look_only_for_a_team_with_a_webhook(
    django_capture_on_commit_callbacks, monkeypatch, plan, lead, endpoint
):
    """Most teams have no webhook: their ticks send nothing to the broker (and give a
    worker nothing to look at); a team with one gets one task per feed entry."""
    from planner.webhooks import tasks
    from tests.factories import MembershipFactory, TeamFactory
    from tests.progress.plans import running_plan

    queued: list[tuple[str, tuple[object, ...]]] = []
    monkeypatch.setattr(tasks, "publish", lambda task, *args: queued.append((task.name, args)))
    other = TeamFactory.create()
    MembershipFactory.create(team=other, user=lead, role="lead")
    theirs = running_plan(other, lead)
    with django_capture_on_commit_callbacks(execute=True):
        progress.task_complete(task_id=first_task(theirs).pk, user=lead)
    assert queued == []
    with django_capture_on_commit_callbacks(execute=True):
        progress.task_complete(task_id=first_task(plan).pk, user=lead)
    assert queued == [(tasks.record_activity.name, (Activity.objects.latest("pk").pk,))]


def test_the_sweep_sends_what_the_broker_missed(
    plan, lead, endpoint, receiver, django_capture_on_commit_callbacks
):
    """The change committed while the broker was down: the on-commit hook queued nothing."""
    task = first_task(plan)
    progress.task_complete(task_id=task.pk, user=lead)  # its on-commit hook never runs
    activity = Activity.objects.get(kind="done")
    assert not Event.objects.exists()
    with (
        time_machine.travel(activity.at + timedelta(minutes=5)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        counts = dispatch_due()
        again = dispatch_due()
    assert counts["missed"] == 1
    assert again["missed"] == 0
    [got] = receiver.at("/hook")
    assert got.json()["type"] == "task.done"
    assert Delivery.objects.get().state == DeliveryState.SENT


def test_changes_before_the_endpoint_existed_are_not_sent(
    django_capture_on_commit_callbacks, plan, team, lead, receiver
):
    task = first_task(plan)
    progress.task_complete(task_id=task.pk, user=lead)
    activity = Activity.objects.get(kind="done")
    webhook(team, lead, receiver)
    with (
        time_machine.travel(activity.at + timedelta(minutes=5)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dispatch_due()
    assert receiver.received == []
