"""The wizard: one step per section, a server-side draft, errors at the field."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from planner.assessment.examples import MANUAL
from planner.assessment.models import Assessment
from planner.plans.models import Plan
from planner.playbook.loader import get_playbook
from planner.playbook.schema import MultipleChoiceQuestion

pytestmark = pytest.mark.django_db
PLAYBOOK = get_playbook()
SECTIONS = [s.id for s in PLAYBOOK.questionnaire.sections]


def step_data(section_id: str, answers: dict[str, Any], go: str = "next") -> dict[str, Any]:
    section = next(s for s in PLAYBOOK.questionnaire.sections if s.id == section_id)
    data: dict[str, Any] = {"go": go}
    for question in section.questions:
        value = answers.get(question.id)
        if value is None:
            continue
        data[question.id] = value if isinstance(question, MultipleChoiceQuestion) else str(value)
    return data


def url(team, section_id: str) -> str:
    return f"/teams/{team.slug}/assessment/{section_id}/"


@pytest.fixture
def started(client: Client, lead, team):
    client.force_login(lead)
    response = client.post(f"/teams/{team.slug}/assessment/")
    assert response["Location"] == url(team, SECTIONS[0])
    return client


def test_engineer_cannot_take_the_assessment(client: Client, engineer, team):
    client.force_login(engineer)
    assert client.get(f"/teams/{team.slug}/assessment/").status_code == 403
    assert client.post(url(team, SECTIONS[0]), step_data(SECTIONS[0], MANUAL)).status_code == 403


def test_outsider_gets_404(client: Client, outsider, team):
    client.force_login(outsider)
    assert client.get(url(team, SECTIONS[0])).status_code == 404


def test_next_saves_the_step_and_moves_on(started, team):
    response = started.post(url(team, "deployment"), step_data("deployment", MANUAL))
    assert response["Location"] == url(team, SECTIONS[1])
    draft = Assessment.objects.get()
    assert draft.answers["environments"] == "none"
    assert draft.is_draft


def test_a_step_answers_htmx_with_a_partial_and_says_it_varies_by_that(started, team):
    page = started.get(url(team, "deployment"))
    partial = started.get(url(team, "deployment"), HTTP_HX_REQUEST="true")
    assert b"<html" in page.content
    assert b"<html" not in partial.content
    for response in (page, partial):
        assert "HX-Request" in response["Vary"]


def test_invalid_step_shows_errors_at_the_field_and_stores_nothing(started, team):
    data = step_data("optimisation", {**MANUAL, "p95_latency_ms": 10, "model_size_mb": "huge"})
    response = started.post(url(team, "optimisation"), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="model_size_mb-errors"' in body
    assert "Enter a number." in body
    assert 'value="huge"' in body  # what the user typed is kept on the page
    assert Assessment.objects.get().answers == {}


def test_cross_field_error_appears_at_p95(started, team):
    response = started.post(
        url(team, "optimisation"), step_data("optimisation", {**MANUAL, "p95_latency_ms": 10})
    )
    assert "The p95 latency cannot be below the average latency." in response.content.decode()
    assert Assessment.objects.get().answers == {}


def test_back_keeps_answers(started, team):
    started.post(url(team, "deployment"), step_data("deployment", MANUAL))
    response = started.post(
        url(team, "infrastructure"), step_data("infrastructure", MANUAL, go="back")
    )
    assert response["Location"] == url(team, "deployment")
    page = started.get(url(team, "infrastructure")).content.decode()
    assert 'id="iac_tool-none" name="iac_tool" value="none" checked' in page


def test_draft_is_resumed(client: Client, started, lead, team):
    started.post(url(team, "deployment"), step_data("deployment", MANUAL))
    client.logout()
    client.force_login(lead)
    client.post(f"/teams/{team.slug}/assessment/")
    assert Assessment.objects.count() == 1
    assert "checked" in client.get(url(team, "deployment")).content.decode()


def test_area_marked_not_applicable_needs_no_answers(started, team):
    response = started.post(url(team, "optimisation"), {"go": "next", "_not_applicable": "on"})
    assert response.status_code == 302
    assert Assessment.objects.get().not_applicable == ["optimisation"]


def test_unknown_choice_is_refused(started, team):
    response = started.post(
        url(team, "deployment"), step_data("deployment", {**MANUAL, "environments": "moon"})
    )
    assert response.status_code == 400
    assert "Choose one of the offered answers." in response.content.decode()


def test_a_step_stores_only_its_own_questions(started, team):
    data = {**step_data("deployment", MANUAL), "iac_tool": "none"}
    started.post(url(team, "deployment"), data)
    assert "iac_tool" not in Assessment.objects.get().answers


def _complete(client: Client, team, answers: dict[str, Any]) -> None:
    for section_id in SECTIONS:
        response = client.post(url(team, section_id), step_data(section_id, answers))
        assert response.status_code == 302, response.content.decode()[:2000]


def test_result_shows_maturity_and_gaps_linked_to_answers(started, team):
    _complete(started, team, MANUAL)
    page = started.get(f"/teams/{team.slug}/assessment/result/").content.decode()
    assert "<svg" in page
    assert "Current and target maturity per area" in page
    assert f'href="{url(team, "infrastructure")}#q-iac_tool"' in page


def test_target_maturity_can_be_set(started, team):
    started.post(url(team, "deployment"), {**step_data("deployment", MANUAL), "_target": "3"})
    assert Assessment.objects.get().targets == {"deployment": 3}


def test_generate_creates_a_draft_plan_and_completes_the_assessment(started, team):
    _complete(started, team, MANUAL)
    response = started.post(f"/teams/{team.slug}/plans/new/", {"length": "30"})
    plan = Plan.objects.get()
    assert response["Location"] == f"/teams/{team.slug}/plans/{plan.pk}/"
    assert plan.is_draft
    # Four people at six hours a week: the plan holds the core steps, the backlog the rest.
    assert plan.tasks.filter(catalogue_id="infra_terraform_foundation").exists()
    assert plan.backlog.filter(catalogue_id="deployment_ci_pipeline", reason="capacity").exists()
    hours = sum(float(t.effort_hours) for t in plan.tasks.all())
    assert hours <= 4 * 6 * 30 / 7
    assert plan.kpi_targets.filter(kpi_id="avg_latency").get().target == 192.0  # fp16: -20 %
    assert not Assessment.objects.get().is_draft


def test_generate_refuses_an_incomplete_assessment(started, team):
    started.post(url(team, "deployment"), step_data("deployment", MANUAL))
    response = started.post(f"/teams/{team.slug}/plans/new/", {"length": "30"})
    assert response.status_code == 400
    assert not Plan.objects.exists()
    assert Assessment.objects.get().is_draft


def test_retaking_shows_maturity_before_and_after(started, team):
    _complete(started, team, MANUAL)
    started.post(f"/teams/{team.slug}/plans/new/", {"length": "30"})
    started.post(f"/teams/{team.slug}/assessment/")  # re-take: a new draft
    assert Assessment.objects.filter(completed_at=None).count() == 1
    better = {**MANUAL, "iac_tool": "terraform", "drift": "prevented"}
    _complete(started, team, better)
    page = started.get(f"/teams/{team.slug}/assessment/result/").content.decode()
    assert "Last assessment" in page
    assert "chart-before" in page
