"""Summaries (My tasks' plan bars, All my teams) come from task groups summed in the
database; they must say exactly what the task-by-task facts say."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from planner.plans.models import PlanTask, TaskStatus
from planner.progress.selectors.facts import facts_by_plan, grouped_facts_by_plan
from planner.progress.selectors.summaries import plan_summaries
from planner.progress.standing import phase_progress, standing
from tests.progress.plans import add_tasks, running_plan

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("day", [1, 9, 17, 30, 31])
def test_grouped_facts_give_the_same_standing_and_phases_as_every_task(team, lead, engineer, day):
    with time_machine.travel(NOW, tick=False):
        plan = running_plan(team, lead, day=day)
        add_tasks(plan, 120, [lead, engineer], done_share=0.6)
        skipped = list(plan.tasks.order_by("pk").values_list("pk", flat=True)[::9])
        PlanTask.objects.filter(pk__in=skipped).update(status=TaskStatus.SKIPPED)
        each = facts_by_plan([plan])[plan.pk]
        grouped = grouped_facts_by_plan([plan])[plan.pk]
        assert len(grouped) < len(each)
        assert standing(grouped, day, plan.length) == standing(each, day, plan.length)
        assert phase_progress(grouped, plan.phases, day) == phase_progress(each, plan.phases, day)
        [summary] = plan_summaries([plan], NOW)
    assert summary.standing == standing(each, day, plan.length)


def test_summaries_of_many_plans_take_one_query_for_their_tasks(
    team, lead, django_assert_num_queries
):
    with time_machine.travel(NOW, tick=False):
        plan = running_plan(team, lead, day=5)
        add_tasks(plan, 300, [lead])
        with django_assert_num_queries(1):
            plan_summaries([plan], NOW)
