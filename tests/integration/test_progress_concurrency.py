"""On the real PostgreSQL: many people ticking and editing one task at once lose nothing."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

import pytest
from django.db import connection

from planner.accounts.models import User
from planner.plans.models import Activity, PlanTask, TaskStatus
from planner.plans.services import PlanRuleError, plan_task_update
from planner.progress import services
from tests.factories import MembershipFactory
from tests.integration.threads import run_at_once
from tests.progress.plans import running_plan

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_ticks_undos_and_edits_agree_with_the_feed(lead, engineer, team):
    assert connection.vendor == "postgresql"
    others = [MembershipFactory.create(team=team).user for _ in range(4)]
    people = [engineer, *others]
    plan = running_plan(team, lead, day=3)
    task = plan.tasks.get(catalogue_id="goals_record_baselines")
    chance = random.Random(7)

    def worker(person) -> Callable[[], list[bool]]:
        def act() -> list[bool]:
            changed = []
            for _ in range(12):
                if chance.random() < 0.5:
                    change = services.task_complete(task_id=task.pk, user=person)
                else:
                    change = services.task_reopen(task_id=task.pk, user=person)
                changed.append(change.changed)
            return changed

        return act

    def editor() -> list[bool]:
        for round_ in range(12):
            fresh = PlanTask.objects.get(pk=task.pk)
            plan_task_update(
                task=fresh,
                title=fresh.title_text,
                day=task.day,
                assignee=people[round_ % len(people)],
                user=lead,
            )
        return []

    outcomes = run_at_once(*(worker(p) for p in people), editor)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert errors == []

    task.refresh_from_db()
    feed = list(Activity.objects.filter(task=task).order_by("pk"))
    ticks = [a.kind for a in feed if a.kind in ("done", "reopened")]
    # Every reported change is in the feed, exactly once, and they alternate.
    reported = sum(sum(o) for o in outcomes if isinstance(o, list))
    assert len(ticks) == reported
    assert all(a != b for a, b in itertools.pairwise(ticks))
    assert ticks[0] == "done"
    expected = TaskStatus.DONE if ticks[-1] == "done" else TaskStatus.OPEN
    assert task.status == expected
    if task.status == TaskStatus.DONE:
        last_done = next(a for a in reversed(feed) if a.kind == "done")
        assert task.closed_by_id == last_done.actor_id
    # The edits survived the ticks: the last assignment in the feed is the stored one.
    last_assigned = [a for a in feed if a.kind == "assigned"][-1]
    assert task.assignee == people[11 % len(people)]
    assert last_assigned.detail["to"] == people[11 % len(people)].display_name


def test_parallel_notes_from_the_same_text_keep_exactly_one(lead, engineer, team):
    plan = running_plan(team, lead, day=3)
    task = plan.tasks.get(catalogue_id="goals_record_baselines")
    people = [engineer, *(MembershipFactory.create(team=team).user for _ in range(5))]

    def annotate(person: User) -> Callable[[], services.TaskChange]:
        return lambda: services.task_annotate(
            task_id=task.pk, user=person, note=f"by {person.pk}", evidence_url="", revision=0
        )

    outcomes = run_at_once(*(annotate(p) for p in people))
    winners = [o for o in outcomes if isinstance(o, services.TaskChange)]
    refused = [o for o in outcomes if isinstance(o, PlanRuleError)]
    assert len(winners) == 1
    assert len(refused) == len(people) - 1
    task.refresh_from_db()
    assert task.note == winners[0].task.note
    assert task.notes_revision == 1
    assert Activity.objects.filter(task=task, kind="noted").count() == 1
