"""The exports read a fixed number of queries, however many tasks, measurements, feed
entries and plans there are."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.progress.plans import add_tasks

pytestmark = pytest.mark.django_db

# Each request: the session, the user, the membership with its team (team_view).
REQUEST = 3


@pytest.mark.parametrize(
    ("suffix", "queries"),
    [
        # The plan, its tasks with their people, KPI targets and their latest
        # measurements, the later self-assessment, the backlog.
        ("export.csv", REQUEST + 6),
        ("export.md", REQUEST + 6),
        ("report/", REQUEST + 6),
    ],
)
def test_plan_exports_read_a_fixed_number_of_queries(
    client: Client, plan, engineer, lead, django_assert_num_queries, suffix: str, queries: int
):
    add_tasks(plan, 60, [lead, engineer])
    client.force_login(engineer)
    url = f"/teams/ml-platform/plans/{plan.pk}/{suffix}"
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_the_team_export_reads_a_fixed_number_of_queries(
    client: Client, plan, engineer, lead, django_assert_num_queries
):
    from tests.plans.conftest import generate_draft

    add_tasks(plan, 60, [lead, engineer])
    generate_draft(plan.team, lead)  # a second plan costs no query of its own
    client.force_login(engineer)
    # Plans with their creators, tasks, backlog, KPI targets, measurements, the feed,
    # the people of the plans' capacity records.
    with django_assert_num_queries(REQUEST + 7):
        assert client.get("/teams/ml-platform/export.json").status_code == 200
