"""The migration that gives existing plans the moment their reminders count from."""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime

import pytest
from django.apps import apps

from planner.plans.models import Plan, PlanStatus
from tests.plans.conftest import generate_draft

pytestmark = pytest.mark.django_db
migration = importlib.import_module("planner.plans.migrations.0006_reminders_from")


def test_started_plans_count_from_their_start_or_the_start_of_day_one(team, lead):
    ahead = generate_draft(team, lead)  # started a week before its day 1
    Plan.objects.filter(pk=ahead.pk).update(
        status=PlanStatus.FINISHED,
        start_date=date(2027, 3, 8),
        started_at=datetime(2027, 3, 1, 10, tzinfo=UTC),
    )
    same_day = generate_draft(team, lead)  # started in the afternoon of its day 1
    Plan.objects.filter(pk=same_day.pk).update(
        status=PlanStatus.ACTIVE,
        start_date=date(2027, 3, 1),
        started_at=datetime(2027, 3, 1, 14, tzinfo=UTC),
    )
    draft = generate_draft(team, lead)  # (generating a draft replaces the team's last one)
    migration.fill_reminders_from(apps, None)
    counts_from = dict(Plan.objects.values_list("pk", "reminders_from"))
    assert counts_from[ahead.pk] == datetime(2027, 3, 1, 10, tzinfo=UTC)
    assert counts_from[same_day.pk] == datetime(2027, 2, 28, 23, tzinfo=UTC)  # Zurich midnight
    assert counts_from[draft.pk] is None  # a draft has no reminders yet
