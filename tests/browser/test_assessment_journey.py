"""A lead walks the wizard, sees the result, generates, edits and starts the plan."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from planner.assessment.examples import MANUAL
from planner.plans.models import Plan, PlanStatus
from planner.playbook.loader import get_playbook
from planner.playbook.schema import MultipleChoiceQuestion, SingleChoiceQuestion
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
PLAYBOOK = get_playbook()


def fill_step(page: Page, section_id: str, answers: dict[str, Any]) -> None:
    section = next(s for s in PLAYBOOK.questionnaire.sections if s.id == section_id)
    for question in section.questions:
        value = answers.get(question.id)
        if value is None:
            continue
        if isinstance(question, SingleChoiceQuestion):
            page.locator(f"#{question.id}-{value}").check()
        elif isinstance(question, MultipleChoiceQuestion):
            for choice in value:
                page.locator(f"#{question.id}-{choice}").check()
        else:
            page.locator(f"#{question.id}").fill(str(value))


def test_lead_takes_assessment_and_starts_plan(live_server, page: Page, shot, lead, team):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email:").fill(lead.email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("link", name="ML Platform").click()
    page.get_by_role("link", name="Self-assessment").click()
    shot("intro")
    page.get_by_role("button", name="Start the assessment").click()

    sections = [s.id for s in PLAYBOOK.questionnaire.sections]
    for index, section_id in enumerate(sections):
        title = next(s for s in PLAYBOOK.questionnaire.sections if s.id == section_id).title.en
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        if index > 0:  # swapped in by htmx: focus moves to the new step's heading
            expect(page.get_by_role("heading", level=1)).to_be_focused()
        if section_id == "optimisation":
            fill_step(page, section_id, {**MANUAL, "p95_latency_ms": 100})
            page.get_by_role("button", name="Next").click()
            expect(page.locator("#p95_latency_ms-errors")).to_contain_text(
                "cannot be below the average"
            )
            shot("step-error")
            page.locator("#p95_latency_ms").fill("900")
        else:
            fill_step(page, section_id, MANUAL)
        if index == 1:
            shot(f"step-{section_id}")
        last = index == len(sections) - 1
        page.get_by_role("button", name="See the result" if last else "Next").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment result")
    expect(page.locator("svg[role=img]")).to_be_visible()
    expect(page.get_by_role("link", name=PLAYBOOK.questions["iac_tool"].label.en)).to_be_visible()
    shot("result")
    page.get_by_role("button", name="Generate plan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Review your plan")
    shot("plan-review")
    plan = Plan.objects.get()
    task = plan.tasks.get(catalogue_id="goals_record_baselines")
    row = page.locator(f"#task-{task.pk}")
    row.get_by_text("Edit").click()
    row.get_by_label("Title").fill("Record the baselines with the platform team")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(f"#task-{task.pk} .task-title")).to_have_text(
        "Record the baselines with the platform team"
    )
    shot("plan-edited")

    # What the team's hours do not hold waits in the backlog; the lead pulls one task in.
    backlog = page.locator("#backlog")
    backlog.scroll_into_view_if_needed()
    expect(backlog).to_contain_text("more work than the team's hours hold")
    expect(page.get_by_role("heading", name="Hours per person and week")).to_be_visible()
    shot("plan-backlog")
    pulled = plan.backlog.filter(reason="capacity", phase=4).first()
    assert pulled is not None
    page.locator(f"#backlog-{pulled.pk}").get_by_role("button", name="Pull into the plan").click()
    expect(page.locator(".messages")).to_contain_text(pulled.title_text)
    assert plan.tasks.filter(catalogue_id=pulled.catalogue_id).exists()
    shot("plan-pulled")

    page.get_by_role("button", name="Start plan").click()
    expect(page.get_by_text("The plan has started.")).to_be_visible()
    shot("plan-started")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE


def test_with_debug_on_a_step_error_still_swaps_in_place(
    live_server, page: Page, shot, lead, team, settings
):
    # `make run` serves with DEBUG on: an htmx answer of 400 must not replace the page.
    settings.DEBUG = True
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email:").fill(lead.email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{live_server.url}/teams/{team.slug}/assessment/")
    page.get_by_role("button", name="Start the assessment").click()
    page.goto(f"{live_server.url}/teams/{team.slug}/assessment/optimisation/")
    fill_step(page, "optimisation", {**MANUAL, "p95_latency_ms": 100})
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#p95_latency_ms-errors")).to_contain_text("cannot be below the average")
    # Still the whole styled page around the step: the navigation and the stylesheet.
    expect(page.get_by_role("link", name="My tasks")).to_be_visible()
    assert page.evaluate("document.styleSheets.length") >= 1
    shot("step-error-debug")
