"""The backlog beside a plan: what the team's hours do not hold, pulled in or moved out."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client

from planner.plans.models import Activity, ActivityKind, BacklogTask, Plan, PlanStatus, PlanTask
from planner.playbook.loader import get_playbook
from tests.progress.plans import running_plan

pytestmark = pytest.mark.django_db
PLAYBOOK = get_playbook()


def base(plan: Plan) -> str:
    return f"/teams/{plan.team.slug}/plans/{plan.pk}/"


def item(plan: Plan, catalogue_id: str) -> BacklogTask:
    return plan.backlog.get(catalogue_id=catalogue_id)


def state(plan: Plan) -> tuple[list[tuple[str, int, int]], list[str]]:
    tasks = sorted(plan.tasks.values_list("catalogue_id", "start_day", "day"))
    return tasks, sorted(plan.backlog.values_list("catalogue_id", flat=True))


def test_the_draft_shows_its_backlog_with_reasons_and_the_hours_per_person_and_week(
    client: Client, engineer, plan
):
    client.force_login(engineer)
    page = client.get(base(plan)).content.decode()
    assert "tasks the team needs but its hours do not hold in these days" in page
    ci = item(plan, "deployment_ci_pipeline")
    assert ci.reason == "capacity"
    assert ci.title_text in page
    assert "more work than the team&#x27;s hours hold" in page
    assert "waits for “" in page  # a task waiting for one in the backlog names it
    assert "Hours per person and week" in page
    assert "2 people not in Planner yet" in page  # the team counts four, Planner has two
    assert "of 6 h" in page
    assert "% of the team's hours in these days" in page
    assert "Pull into the plan" not in page  # engineers read, leads decide


def test_the_lead_pulls_a_task_in_on_the_earliest_days_someone_has_hours(
    client: Client, lead, plan
):
    secrets = item(plan, "infra_secrets_management")  # after the IaC pipeline, in phase 2
    client.force_login(lead)
    response = client.post(f"{base(plan)}backlog/{secrets.pk}/pull/", follow=True)
    task = plan.tasks.get(catalogue_id="infra_secrets_management")
    pipeline_end = max(
        plan.tasks.filter(catalogue_id="infra_terraform_pipeline").values_list("day", flat=True)
    )
    assert pipeline_end < task.start_day <= task.day <= 14
    assert not plan.backlog.filter(pk=secrets.pk).exists()
    assert task.why == secrets.why
    assert task.steps == secrets.steps
    assert f"is in phase 2, days {task.start_day}–{task.day}" in response.content.decode()


def test_a_task_nobody_has_hours_for_goes_in_with_a_warning_naming_who_is_over(
    client: Client, lead, plan
):
    distillation = item(plan, "opt_distillation")  # 40 hours in a week of six-hour people
    client.force_login(lead)
    response = client.post(f"{base(plan)}backlog/{distillation.pk}/pull/", follow=True)
    page = response.content.decode()
    assert "but nobody had the hours" in page
    assert 'class="over"' in page
    assert plan.tasks.filter(catalogue_id="opt_distillation").exists()


def test_a_task_waiting_for_one_in_the_backlog_cannot_be_pulled_first(client: Client, lead, plan):
    waiting = plan.backlog.filter(reason="prerequisite").first()
    assert waiting is not None
    before = state(plan)
    client.force_login(lead)
    row = client.get(base(plan)).content.decode().split(f'id="backlog-{waiting.pk}"')[1]
    assert "Pull into the plan" not in row.split("</li>")[0]  # no button for it, and:
    response = client.post(f"{base(plan)}backlog/{waiting.pk}/pull/", follow=True)
    assert "first: this task needs it." in response.content.decode()
    assert state(plan) == before


def test_moving_a_task_out_moves_what_needs_it_too(client: Client, lead, plan):
    foundation = plan.tasks.filter(catalogue_id="infra_terraform_foundation").first()
    assert foundation is not None
    needs_it = set(
        plan.tasks.filter(prerequisites__contains="infra_terraform_foundation").values_list(
            "catalogue_id", flat=True
        )
    ) - {"goals_checkpoint_iac"}
    client.force_login(lead)
    response = client.post(f"{base(plan)}tasks/{foundation.pk}/backlog/", follow=True)
    assert "Moved to the backlog" in response.content.decode()
    assert not plan.tasks.filter(catalogue_id="infra_terraform_foundation").exists()
    moved = plan.backlog.filter(catalogue_id="infra_terraform_foundation")
    assert {m.reason for m in moved} == {"pushed_out"}
    for catalogue_id in needs_it:
        assert not plan.tasks.filter(catalogue_id=catalogue_id).exists()
        assert item(plan, catalogue_id).waiting_for


def test_a_running_plan_takes_backlog_tasks_from_today_on_but_keeps_its_own(
    client: Client, lead, team
):
    with time_machine.travel(date(2027, 3, 10), tick=False):
        plan = running_plan(team, lead, day=10)  # phase 2 runs, today is day 10
        client.force_login(lead)
        phase_two = plan.backlog.filter(phase=2, reason="capacity").first()
        assert phase_two is not None
        client.post(f"{base(plan)}backlog/{phase_two.pk}/pull/")
        task = plan.tasks.get(catalogue_id=phase_two.catalogue_id)
        assert task.start_day >= 10
        assert Activity.objects.filter(plan=plan, task=task, kind=ActivityKind.ADDED).exists()
        phase_one = plan.backlog.filter(phase=1, reason="capacity").first()
        if phase_one is not None:
            response = client.post(f"{base(plan)}backlog/{phase_one.pk}/pull/", follow=True)
            assert "Phase 1 is over." in response.content.decode()
        before = state(plan)
        done = plan.tasks.first()
        assert done is not None
        refused = client.post(f"{base(plan)}tasks/{done.pk}/backlog/", follow=True)
        assert "A running plan keeps its tasks" in refused.content.decode()
        assert state(plan) == before


def test_only_a_lead_pulls_or_moves_and_an_outsider_gets_404(
    client: Client, engineer, outsider, plan
):
    entry = plan.backlog.first()
    task = plan.tasks.first()
    assert entry is not None
    assert task is not None
    before = state(plan)
    client.force_login(engineer)
    assert client.post(f"{base(plan)}backlog/{entry.pk}/pull/").status_code == 403
    assert client.post(f"{base(plan)}tasks/{task.pk}/backlog/").status_code == 403
    client.force_login(outsider)
    assert client.post(f"{base(plan)}backlog/{entry.pk}/pull/").status_code == 404
    assert state(plan) == before


def test_a_finished_plan_takes_nothing_from_its_backlog(client: Client, lead, plan):
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.FINISHED)
    entry = plan.backlog.first()
    assert entry is not None
    client.force_login(lead)
    response = client.post(f"{base(plan)}backlog/{entry.pk}/pull/", follow=True)
    assert (
        "Only a draft or a running plan takes tasks from the backlog." in response.content.decode()
    )
    assert plan.backlog.filter(pk=entry.pk).exists()
    assert not PlanTask.objects.filter(plan=plan, catalogue_id=entry.catalogue_id).exists()


def test_pulling_work_in_moves_the_targets_that_count_on_it(client: Client, lead, plan):
    share = plan.kpi_targets.get(kpi_id="iac_share")
    assert share.target == 0  # the import waits: the plan holds the baseline
    client.force_login(lead)
    client.post(f"{base(plan)}backlog/{item(plan, 'infra_terraform_import').pk}/pull/")
    share.refresh_from_db()
    assert share.target == 90
    assert "This plan counts on importing the existing resources into code" in share.why["en"]
    assert "Der Plan setzt auf den Import der bestehenden Ressourcen" in share.why["de"]
    # Moved out again, the target holds the baseline once more.
    import_task = plan.tasks.filter(catalogue_id="infra_terraform_import").first()
    client.post(f"{base(plan)}tasks/{import_task.pk}/backlog/")
    share.refresh_from_db()
    assert share.target == 0
    pulled_in = "Pulled in, the plan counts on importing the existing resources into code"
    assert pulled_in in share.why["en"]


def test_a_target_the_lead_set_stays_when_work_moves(client: Client, lead, plan):
    share = plan.kpi_targets.get(kpi_id="iac_share")
    client.force_login(lead)
    client.post(f"{base(plan)}kpis/{share.pk}/", {f"kpi-{share.pk}-target": "40"})
    share.refresh_from_db()
    assert share.target == 40
    why = share.why
    client.post(f"{base(plan)}backlog/{item(plan, 'infra_terraform_import').pk}/pull/")
    share.refresh_from_db()
    assert share.target == 40  # the lead's number, not the generator's
    assert share.why == why
