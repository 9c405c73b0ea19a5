"""Starting a draft: one transaction, and the moment its reminders count from."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine

from planner.plans import services
from planner.plans.models import Activity, ActivityKind, Plan, PlanStatus

pytestmark = pytest.mark.django_db


@time_machine.travel("2027-03-01 08:00 +0100")
def test_a_start_whose_feed_entry_fails_leaves_the_plan_a_draft(monkeypatch, lead, plan):
    def feed_down(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the feed could not be written")

    monkeypatch.setattr(services, "record", feed_down)
    with pytest.raises(RuntimeError):
        services.plan_start(plan=plan, start_date=date(2027, 3, 2), user=lead)
    stored = Plan.objects.get(pk=plan.pk)
    assert (stored.status, stored.start_date, stored.reminders_from) == (
        PlanStatus.DRAFT,
        None,
        None,
    )


@time_machine.travel("2027-03-01 08:00 +0100")
def test_a_start_is_in_the_feed(lead, plan):
    services.plan_start(plan=plan, start_date=date(2027, 3, 2), user=lead)
    kinds = list(Activity.objects.filter(plan=plan).values_list("kind", flat=True))
    assert kinds == [ActivityKind.STARTED]


@pytest.mark.parametrize(
    ("now", "start", "counts_from"),
    [
        # Started for a later day: its reminders count from the start.
        ("2027-03-01 15:00 +0100", date(2027, 3, 2), datetime(2027, 3, 1, 14, tzinfo=UTC)),
        # Started for today after the reminder hour: from midnight, so today's kick-off
        # still goes out.
        ("2027-03-01 15:00 +0100", date(2027, 3, 1), datetime(2027, 2, 28, 23, tzinfo=UTC)),
    ],
)
def test_a_start_sets_the_moment_its_reminders_count_from(lead, plan, now, start, counts_from):
    with time_machine.travel(now, tick=False):
        services.plan_start(plan=plan, start_date=start, user=lead)
        moment = datetime.fromisoformat(now)
    plan.refresh_from_db()
    assert plan.reminders_from == counts_from
    assert plan.next_reminder_at == moment  # the dispatcher looks at it at its next run
