"""The plan page for long plans: phases that fold, the backlog beside them, band KPIs
shown and edited as bands with their units."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import HttpResponse
from django.test import Client

from planner.accounts.models import User
from planner.assessment.examples import MATURE
from planner.plans import selectors
from planner.plans.models import KpiTarget, Plan, PlanTask
from planner.playbook.loader import get_playbook
from tests.plans.conftest import generate_draft

pytestmark = pytest.mark.django_db
PLAYBOOK = get_playbook()


def post_band(client: Client, plan: Plan, target: KpiTarget, low: str, high: str) -> HttpResponse:
    """Submit the band form of a band KPI as the page does."""
    where = f"/teams/{plan.team.slug}/plans/{plan.pk}/kpis/{target.pk}/"
    prefix = f"kpi-{target.pk}"
    return client.post(where, {f"{prefix}-low": low, f"{prefix}-high": high})  # type: ignore[return-value]


def gpu(plan: Plan) -> KpiTarget:
    return plan.kpi_targets.get(kpi_id="gpu_utilisation")


def test_a_band_kpi_is_shown_as_its_band_with_its_unit(client: Client, engineer, plan):
    client.force_login(engineer)
    page = client.get(f"/teams/{plan.team.slug}/plans/{plan.pk}/").content.decode()
    assert "healthy band 60\u2060–\u206085\u00a0%" in page
    # The batching work waits in the backlog: the plan holds 18 % and says so.
    assert "held at 18\u00a0%" in page


def test_lead_edits_a_band_and_a_held_target_stays(client: Client, lead, plan):
    target = gpu(plan)
    client.force_login(lead)
    response = post_band(client, plan, target, "55", "80")
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.band_low, target.band_high, target.target) == (55, 80, 18)


def test_a_target_aimed_into_the_band_moves_with_it(client: Client, lead, plan):
    target = gpu(plan)
    KpiTarget.objects.filter(pk=target.pk).update(target=60)
    client.force_login(lead)
    response = post_band(client, plan, target, "65", "80")
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.band_low, target.band_high, target.target) == (65, 80, 65)


@pytest.mark.parametrize(
    ("low", "high", "message"),
    [
        ("80", "60", "The upper edge must lie above the lower one."),
        ("60", "120", "A percentage lies between 0 and 100."),
        ("-5", "60", "The band cannot start below 0."),
        ("sixty", "80", "Enter a number."),
    ],
)
def test_a_bad_band_is_refused_at_the_field_and_nothing_changes(
    client: Client, lead, plan, low: str, high: str, message: str
):
    target = gpu(plan)
    client.force_login(lead)
    response = post_band(client, plan, target, low, high)
    assert response.status_code == 400
    assert message in response.content.decode()
    target.refresh_from_db()
    assert (target.band_low, target.band_high, target.target) == (60, 85, 18)


def test_an_engineer_cannot_edit_a_band(client: Client, engineer, plan):
    target = gpu(plan)
    client.force_login(engineer)
    response = post_band(client, plan, target, "10", "20")
    assert response.status_code == 403
    target.refresh_from_db()
    assert (target.band_low, target.band_high) == (60, 85)


def test_single_targets_show_their_unit_beside_the_field(client: Client, lead, plan):
    client.force_login(lead)
    page = client.get(f"/teams/{plan.team.slug}/plans/{plan.pk}/").content.decode()
    latency = plan.kpi_targets.get(kpi_id="avg_latency")
    assert f'id="id_kpi-{latency.pk}-target"' in page
    assert '<span class="unit">ms</span>' in page


def test_phases_fold_and_a_long_draft_opens_only_its_first(plan):
    tasks = list(selectors.plan_tasks(plan))
    groups = selectors.plan_phases(plan, tasks, 24, None)
    assert [g.open for g in groups] == [True] * 4  # a short draft: all unfolded
    long = tasks * (selectors.OPEN_PHASES_UP_TO // len(tasks) + 1)
    groups = selectors.plan_phases(plan, long, 24, None)
    assert [g.open for g in groups] == [True, False, False, False]
    assert sum(g.hours for g in groups) == sum(float(t.effort_hours) for t in long)


def test_a_running_plan_unfolds_today_s_phase_and_those_with_overdue_work(plan):
    plan.status, plan.start_date = "active", date(2027, 3, 1)
    tasks = list(selectors.plan_tasks(plan))
    groups = selectors.plan_phases(plan, tasks, 24, 16)  # day 16: phase 3
    overdue = {t.phase for t in tasks if t.day < 16}
    assert [g.open for g in groups] == [n in overdue | {3} for n in (1, 2, 3, 4)]
    for task in tasks:
        if task.day < 16:
            task.status = "done"
    groups = selectors.plan_phases(plan, tasks, 24, 16)
    assert [g.open for g in groups] == [False, False, True, False]
    assert groups[0].done == len([t for t in tasks if t.phase == 1])


def test_the_page_folds_phases_without_javascript(client: Client, lead, plan):
    client.force_login(lead)
    page = client.get(f"/teams/{plan.team.slug}/plans/{plan.pk}/").content.decode()
    assert page.count('<details class="card phase"') == 4
    assert '<aside class="card plan-backlog" id="backlog"' in page


def _edit(
    client: Client, plan: Plan, task: PlanTask, *, day: int, assignee: int, htmx: bool = False
) -> HttpResponse:
    prefix = f"task-{task.pk}"
    data = {f"{prefix}-title": task.own_title, f"{prefix}-day": day, f"{prefix}-assignee": assignee}
    where = f"/teams/{plan.team.slug}/plans/{plan.pk}/tasks/{task.pk}/edit/"
    if htmx:
        return client.post(where, data, headers={"HX-Request": "true"})  # type: ignore[return-value]
    return client.post(where, data, follow=True)  # type: ignore[return-value]


def _heaviest_first_week_task(plan: Plan, away_from: User) -> PlanTask:
    week_one = plan.tasks.filter(day__lte=7).exclude(assignee=away_from).order_by("-effort_hours")
    found = week_one.first()
    assert found is not None
    return found


def test_reassigning_beyond_someone_s_hours_warns_and_saves(client: Client, lead, plan):
    moved = _heaviest_first_week_task(plan, lead)
    client.force_login(lead)
    response = _edit(client, plan, moved, day=moved.day, assignee=lead.pk)
    page = response.content.decode()
    moved.refresh_from_db()
    assert moved.assignee == lead  # saved: the lead decides, the page warns
    row = selectors.plan_capacity(plan, plan.tasks.all()).rows
    lead_row = next(r for r in row if r.member == lead.pk)
    hours, limit, over = lead_row.weeks[0]
    assert over
    assert f"This puts Lea Lead over their hours: week 1 holds {hours:g} of {limit:g} h." in page


def test_the_htmx_row_carries_the_warning(client: Client, lead, plan):
    moved = _heaviest_first_week_task(plan, lead)
    client.force_login(lead)
    response = _edit(client, plan, moved, day=moved.day, assignee=lead.pk, htmx=True)
    assert response.status_code == 200
    assert "This puts Lea Lead over their hours: week 1 holds" in response.content.decode()


def test_a_move_within_someone_s_hours_says_nothing(client: Client, lead, engineer, plan):
    client.force_login(lead)
    quiet = plan.tasks.filter(day__gte=22, assignee=engineer).order_by("effort_hours").first()
    assert quiet is not None
    response = _edit(client, plan, quiet, day=quiet.day, assignee=engineer.pk)
    assert "over their hours" not in response.content.decode()


def test_core_steps_waiting_for_hours_are_called_out(client: Client, lead, team):
    # Four people at six hours a week: 14 days hold the analysis, not the IaC foundation.
    plan = generate_draft(team, lead, length=14)
    core = [
        item
        for item in plan.backlog.all()
        if item.catalogue_id and PLAYBOOK.task(item.catalogue_id).priority == 1
    ]
    assert core
    client.force_login(lead)
    page = client.get(f"/teams/{team.slug}/plans/{plan.pk}/").content.decode()
    assert f"{len(core)} of the article's core steps wait in the backlog" in page
    assert "A 30-day plan, or more hours a week from the people on it" in page
    assert page.count('<span class="badge warning">core step</span>') == len(core)


def test_a_plan_that_holds_every_core_step_says_nothing(client: Client, lead, team):
    plan = generate_draft(team, lead, MATURE)
    client.force_login(lead)
    page = client.get(f"/teams/{team.slug}/plans/{plan.pk}/").content.decode()
    assert "core steps wait" not in page
    assert "core step waits" not in page
