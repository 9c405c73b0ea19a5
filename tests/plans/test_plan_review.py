"""Reviewing and starting a draft plan."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client

from planner.assessment.examples import MANUAL
from planner.assessment.models import Assessment
from planner.plans.models import KpiTarget, Plan, PlanStatus, PlanTask
from planner.plans.services import plan_generate
from planner.playbook.loader import get_playbook
from tests.progress.plans import team_today

pytestmark = pytest.mark.django_db
PLAYBOOK = get_playbook()


def base(plan: Plan) -> str:
    return f"/teams/{plan.team.slug}/plans/{plan.pk}/"


def task(plan: Plan, catalogue_id: str) -> PlanTask:
    """The task (the first part of a shared one) from the catalogue entry."""
    found = plan.tasks.filter(catalogue_id=catalogue_id).order_by("pk").first()
    assert found is not None, f"{catalogue_id} is not in the plan"
    return found


def test_members_read_the_plan_with_why_lines(client: Client, engineer, plan):
    client.force_login(engineer)
    page = client.get(base(plan)).content.decode()
    terraform = task(plan, "infra_terraform_foundation")
    assert terraform.title_text in page
    assert "You answered «" in page
    assert "Edit" not in page  # engineers do not edit plan structure


def test_plan_page_query_count_does_not_grow_with_tasks(
    client: Client, lead, plan, django_assert_num_queries
):
    client.force_login(lead)
    with django_assert_num_queries(9) as first:
        client.get(base(plan))
    for number in range(30):
        PlanTask.objects.create(
            plan=plan,
            phase=1,
            start_day=2,
            day=2,
            effort_hours=1,
            title={"en": f"T{number}", "de": f"T{number}"},
        )
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(base(plan))


def test_outsider_gets_404_and_engineer_403_on_edits(client: Client, outsider, engineer, plan):
    target = task(plan, "goals_define_kpis")
    client.force_login(outsider)
    assert client.get(base(plan)).status_code == 404
    assert client.post(f"{base(plan)}tasks/{target.pk}/edit/").status_code == 404
    client.force_login(engineer)
    response = client.post(
        f"{base(plan)}tasks/{target.pk}/edit/",
        {f"task-{target.pk}-title": "x", f"task-{target.pk}-day": "3"},
    )
    assert response.status_code == 403


def _edit(client: Client, plan: Plan, target: PlanTask, **data: object):
    prefix = f"task-{target.pk}-"
    payload = {
        prefix + "title": target.title_text,
        prefix + "day": target.day,
        prefix + "assignee": target.assignee_id or "",
    }
    payload.update({prefix + key: value for key, value in data.items()})
    return client.post(f"{base(plan)}tasks/{target.pk}/edit/", payload)


def test_lead_edits_title_day_and_assignee(client: Client, lead, engineer, plan):
    client.force_login(lead)
    target = task(plan, "goals_record_baselines")
    response = _edit(
        client, plan, target, title="Record the baselines we trust", day=6, assignee=engineer.pk
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.title_text, target.day, target.assignee) == (
        "Record the baselines we trust",
        6,
        engineer,
    )


def test_a_title_must_be_one_line_and_nothing_changes_when_it_is_not(client: Client, lead, plan):
    client.force_login(lead)
    target = task(plan, "goals_record_baselines")
    before = (target.title_text, target.day)
    response = _edit(client, plan, target, title="Baselines\r\nBcc: someone@example.org", day=6)
    assert response.status_code == 400
    assert "Use one line of plain text" in response.content.decode()
    target.refresh_from_db()
    assert (target.title_text, target.day) == before


def test_a_task_links_to_its_page_and_posts_its_edit_to_its_own_url(client: Client, lead, plan):
    client.force_login(lead)
    target = task(plan, "goals_record_baselines")
    page = client.get(base(plan)).content.decode()
    assert f'href="{base(plan)}tasks/{target.pk}/"' in page
    assert f'data-hx-post="{base(plan)}tasks/{target.pk}/edit/"' in page
    assert client.get(f"{base(plan)}tasks/{target.pk}/").status_code == 200
    assert client.get(f"{base(plan)}tasks/{target.pk}/edit/").status_code == 405


def test_htmx_edit_answers_with_the_task_row(client: Client, lead, plan):
    client.force_login(lead)
    target = task(plan, "goals_record_baselines")
    response = client.post(
        f"{base(plan)}tasks/{target.pk}/edit/",
        {f"task-{target.pk}-title": "Cost KPI", f"task-{target.pk}-day": target.day},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert body.lstrip().startswith(f'<li class="task saved" id="task-{target.pk}"')
    assert "Cost KPI" in body


def test_day_outside_the_phase_is_refused_at_the_field(client: Client, lead, plan):
    client.force_login(lead)
    target = task(plan, "goals_record_baselines")  # phase 1: days 1-7
    response = _edit(client, plan, target, day=12)
    assert response.status_code == 400
    assert "Phase 1 covers days 1 to 7." in response.content.decode()
    assert PlanTask.objects.get(pk=target.pk).day == target.day


def test_task_cannot_move_before_its_prerequisite(client: Client, lead, plan):
    client.force_login(lead)
    dependant = task(plan, "goals_record_baselines")
    prerequisite = task(plan, dependant.prerequisites[0])
    PlanTask.objects.filter(pk=prerequisite.pk).update(day=3)
    response = _edit(client, plan, dependant, day=2)
    assert response.status_code == 400
    assert "must start after its prerequisite" in response.content.decode()
    assert PlanTask.objects.get(pk=dependant.pk).day == dependant.day


def test_assignee_must_be_a_member(client: Client, lead, outsider, plan):
    client.force_login(lead)
    target = task(plan, "goals_record_baselines")
    response = _edit(client, plan, target, assignee=outsider.pk)
    assert response.status_code == 400
    assert PlanTask.objects.get(pk=target.pk).assignee_id == target.assignee_id


def test_lead_removes_a_task_and_dependants_drop_it(client: Client, lead, plan):
    client.force_login(lead)
    removed = task(plan, "goals_define_kpis")
    client.post(f"{base(plan)}tasks/{removed.pk}/remove/")
    assert not plan.tasks.filter(pk=removed.pk).exists()
    assert all("goals_define_kpis" not in t.prerequisites for t in plan.tasks.all())


def test_lead_adds_a_custom_task(client: Client, lead, engineer, plan):
    client.force_login(lead)
    response = client.post(
        f"{base(plan)}tasks/",
        {
            "add-title": "Book the GPU budget",
            "add-phase": "2",
            "add-day": "9",
            "add-assignee": engineer.pk,
            "add-effort_hours": "1.5",
        },
    )
    assert response.status_code == 302
    custom = plan.tasks.get(catalogue_id="")
    assert (custom.title_text, custom.day, custom.assignee, custom.is_custom) == (
        "Book the GPU budget",
        9,
        engineer,
        True,
    )


def test_latency_target_above_baseline_is_refused(client: Client, lead, plan):
    client.force_login(lead)
    latency = plan.kpi_targets.get(kpi_id="avg_latency")
    response = client.post(f"{base(plan)}kpis/{latency.pk}/", {f"kpi-{latency.pk}-target": "300"})
    assert response.status_code == 400
    assert "cannot be above the baseline" in response.content.decode()
    assert KpiTarget.objects.get(pk=latency.pk).target == latency.target


def test_lead_adjusts_a_kpi_target(client: Client, lead, plan):
    client.force_login(lead)
    latency = plan.kpi_targets.get(kpi_id="avg_latency")
    client.post(f"{base(plan)}kpis/{latency.pk}/", {f"kpi-{latency.pk}-target": "120"})
    assert KpiTarget.objects.get(pk=latency.pk).target == 120.0


@time_machine.travel("2027-03-01 08:00 +0100")
def test_start_on_a_date_in_the_teams_time_zone(client: Client, lead, plan):
    client.force_login(lead)
    response = client.post(f"{base(plan)}start/", {"start_date": "2027-03-01"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.start_date) == (PlanStatus.ACTIVE, date(2027, 3, 1))


@pytest.mark.parametrize(
    ("zone", "now", "refused", "taken"),
    [
        # 20:00 on 1 March in Zurich, where the lead is, is already 2 March in Auckland.
        ("Pacific/Auckland", "2027-03-01 20:00 +0100", "2027-03-01", "2027-03-02"),
        # 02:00 on 2 March in Zurich is still 1 March in Los Angeles.
        ("America/Los_Angeles", "2027-03-02 02:00 +0100", "2027-02-28", "2027-03-01"),
    ],
)
def test_the_past_ends_at_midnight_where_the_team_is(
    client: Client, lead, team, plan, zone, now, refused, taken
):
    team.time_zone = zone
    team.save()
    with time_machine.travel(now, tick=False):
        client.force_login(lead)  # in Europe/Zurich
        page = client.get(base(plan)).content.decode()
        assert f'name="start_date" value="{taken}"' in page
        assert f'min="{taken}"' in page
        response = client.post(f"{base(plan)}start/", {"start_date": refused})
        assert response.status_code == 400
        assert "cannot be in the past" in response.content.decode()
        assert Plan.objects.get(pk=plan.pk).is_draft
        assert client.post(f"{base(plan)}start/", {"start_date": taken}).status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.start_date.isoformat()) == (PlanStatus.ACTIVE, taken)


@time_machine.travel("2027-03-01 08:00 +0100")
def test_start_date_in_the_past_is_refused(client: Client, lead, plan):
    client.force_login(lead)
    response = client.post(f"{base(plan)}start/", {"start_date": "2027-02-28"})
    assert response.status_code == 400
    assert "cannot be in the past" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).is_draft


@time_machine.travel("2027-03-01 08:00 +0100")
def test_second_active_plan_is_refused_and_earlier_plans_stay_readable(
    client: Client, lead, team, plan
):
    client.force_login(lead)
    client.post(f"{base(plan)}start/", {"start_date": "2027-03-01"})
    assessment = Assessment.objects.create(
        team=team, created_by=lead, playbook_version=PLAYBOOK.version, answers=MANUAL
    )
    second = plan_generate(
        assessment=assessment, playbook=PLAYBOOK, user=lead, length=14, start=date(2027, 3, 1)
    )
    response = client.post(f"{base(second)}start/", {"start_date": "2027-03-02"})
    assert response.status_code == 400
    assert "already has an active plan" in response.content.decode()
    assert Plan.objects.get(pk=second.pk).is_draft
    assert client.get(base(plan)).status_code == 200


def test_running_plan_takes_moves_and_reassignments_into_its_feed(
    client: Client, lead, engineer, plan
):
    Plan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.ACTIVE, start_date=team_today(plan.team) + timedelta(days=1)
    )
    client.force_login(lead)
    target = task(plan, "goals_record_baselines")
    other = lead if target.assignee == engineer else engineer
    response = _edit(client, plan, target, day=6, assignee=other.pk)
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.day, target.assignee_id) == (6, other.pk)
    kinds = sorted(plan.activities.filter(task=target).values_list("kind", flat=True))
    assert kinds == ["assigned", "moved"]
    # Removing is for drafts: a running plan skips a task instead, with a reason.
    client.post(f"{base(plan)}tasks/{target.pk}/remove/")
    assert PlanTask.objects.filter(pk=target.pk).exists()


def test_finished_plan_cannot_be_edited(client: Client, lead, plan):
    Plan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.FINISHED, start_date=team_today(plan.team) - timedelta(days=40)
    )
    client.force_login(lead)
    target = task(plan, "goals_record_baselines")
    response = _edit(client, plan, target, day=6)
    assert response.status_code == 400
    assert "A finished or archived plan cannot be edited." in response.content.decode()
    target.refresh_from_db()
    assert target.day != 6


def test_plan_keeps_its_own_copy_of_the_playbook(plan):
    stored = task(plan, "goals_define_kpis")
    assert stored.title == PLAYBOOK.task("goals_define_kpis").title.model_dump()
    assert plan.playbook_version == PLAYBOOK.version


@time_machine.travel("2027-03-01 08:00 +0100")
def test_archiving_the_active_plan_lets_the_team_start_another(client: Client, lead, team, plan):
    client.force_login(lead)
    client.post(f"{base(plan)}start/", {"start_date": "2027-03-01"})
    client.post(f"{base(plan)}archive/")
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.ARCHIVED
    assessment = Assessment.objects.create(
        team=team, created_by=lead, playbook_version=PLAYBOOK.version, answers=MANUAL
    )
    second = plan_generate(
        assessment=assessment, playbook=PLAYBOOK, user=lead, length=30, start=date(2027, 3, 1)
    )
    assert client.post(f"{base(second)}start/", {"start_date": "2027-03-02"}).status_code == 302
    assert client.get(base(plan)).status_code == 200


def test_engineer_cannot_archive(client: Client, engineer, plan):
    client.force_login(engineer)
    assert client.post(f"{base(plan)}archive/").status_code == 403
    assert Plan.objects.get(pk=plan.pk).is_draft


def test_htmx_edit_with_a_bad_day_answers_with_the_row_and_its_error(client: Client, lead, plan):
    client.force_login(lead)
    target = task(plan, "goals_record_baselines")
    response = client.post(
        f"{base(plan)}tasks/{target.pk}/edit/",
        {f"task-{target.pk}-title": "Cost KPI", f"task-{target.pk}-day": "12"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert body.lstrip().startswith(f'<li class="task" id="task-{target.pk}"')
    assert "Phase 1 covers days 1 to 7." in body
    assert PlanTask.objects.get(pk=target.pk).title_text != "Cost KPI"
