"""An engineer ticks a task with htmx; the lead's dashboard shows the new completion."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from planner.plans.models import PlanTask, TaskStatus
from tests.factories import PASSWORD
from tests.progress.plans import running_plan

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email:").fill(email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_engineer_ticks_a_task_and_the_lead_sees_it(
    live_server, page: Page, browser: Browser, browser_context_args, shot, lead, engineer, team
):
    plan = running_plan(team, lead, day=3)
    # Everything in phase 1 belongs to the engineer, so the tick moves the phase bar.
    plan.tasks.filter(phase=1).update(assignee=engineer)
    first = plan.tasks.filter(phase=1).order_by("day", "position").first()
    assert first is not None

    sign_in(page, live_server.url, engineer.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
    total = plan.tasks.filter(phase=1).count()
    bar = page.locator(f"#plan-bar-{plan.pk}")
    expect(bar).to_contain_text(f"Phase 1: 0 of {total} tasks done")
    shot("my-tasks")

    page.evaluate("window.notReloaded = true")
    row = page.locator(f"#my-task-{first.pk}")
    row.get_by_role("button", name=f"Mark “{first.title_text}” as done").click()
    expect(page.locator(f"#my-task-{first.pk}.done")).to_be_visible()
    expect(bar).to_contain_text(f"Phase 1: 1 of {total} tasks done")
    expect(page.locator("#my-counts")).to_contain_text("1 closed in the last 7 days")
    assert page.evaluate("window.notReloaded") is True  # swapped in place, no reload
    shot("my-tasks-ticked")
    assert PlanTask.objects.get(pk=first.pk).status == TaskStatus.DONE

    context = browser.new_context(**browser_context_args)
    lead_page = context.new_page()
    sign_in(lead_page, live_server.url, lead.email)
    lead_page.goto(f"{live_server.url}/teams/{team.slug}/progress/")
    phase_one = lead_page.locator(".phase-cell").first
    expect(phase_one).to_contain_text(f"1 of {total} tasks done")
    expect(lead_page.locator(".feed")).to_contain_text(f"ticked off {first.title_text}")
    shot("dashboard", lead_page)

    # The lead records a KPI measurement and reads the task's page and all teams.
    lead_page.get_by_role("link", name="Average inference latency").click()
    lead_page.get_by_label("Value").fill("190")
    lead_page.get_by_role("button", name="Record", exact=True).click()
    expect(lead_page.locator(".messages")).to_contain_text("Measurement recorded.")
    shot("kpi", lead_page)
    lead_page.goto(f"{live_server.url}/teams/{team.slug}/plans/{plan.pk}/tasks/{first.pk}/")
    expect(lead_page.get_by_role("heading", name="How to do it")).to_be_visible()
    shot("task", lead_page)
    lead_page.get_by_role("link", name="All my teams").first.click()
    expect(lead_page.get_by_role("row", name=team.name)).to_contain_text("Phase 1")
    shot("all-teams", lead_page)

    # Undo, again in place.
    page.locator(f"#my-task-{first.pk}").get_by_role("button", name="Reopen").click()
    expect(bar).to_contain_text(f"Phase 1: 0 of {total} tasks done")
    assert page.evaluate("window.notReloaded") is True
    context.close()


def test_ticking_works_without_javascript(
    live_server, browser: Browser, browser_context_args, lead, engineer, team
):
    plan = running_plan(team, lead, day=3)
    task = plan.tasks.filter(phase=1).order_by("day", "position").first()
    assert task is not None
    PlanTask.objects.filter(pk=task.pk).update(assignee=engineer)
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, engineer.email)
    page.locator(f"#my-task-{task.pk}").get_by_role("button", name="Mark").click()
    expect(page.locator(".messages")).to_contain_text("Task ticked off.")
    expect(page.locator(f"#my-task-{task.pk}.done")).to_be_visible()
    assert PlanTask.objects.get(pk=task.pk).status == TaskStatus.DONE
    context.close()


def test_keyboard_ticking_keeps_focus_on_the_rows_button(
    live_server, page: Page, shot, lead, engineer, team
):
    plan = running_plan(team, lead, day=3)
    plan.tasks.filter(phase=1).update(assignee=engineer)
    first = plan.tasks.filter(phase=1).order_by("day", "position").first()
    assert first is not None
    sign_in(page, live_server.url, engineer.email)
    button = page.locator(f"#tick-{first.pk}")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#tick-{first.pk}")).to_have_attribute("title", "Undo")
    # The row was swapped in: focus is on its new button, not lost to the page.
    expect(page.locator(f"#tick-{first.pk}")).to_be_focused()
    # Wait for htmx to finish settling the swap, as a person reading the row would.
    page.wait_for_function(
        "document.querySelector('.htmx-settling, .htmx-swapping, .htmx-request') === null"
    )
    page.keyboard.press("Enter")  # and the keyboard can undo it from there
    expect(page.locator(f"#tick-{first.pk}")).to_have_attribute("title", "Mark as done")
    expect(page.locator(f"#tick-{first.pk}")).to_be_focused()
    shot("keyboard-tick")
    assert PlanTask.objects.get(pk=first.pk).status == TaskStatus.OPEN
