"""The plan page of a long draft on a phone and by keyboard: phases fold, nothing scrolls
sideways, band KPIs are edited as bands; without JavaScript too."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.factories import PASSWORD, MembershipFactory, TeamFactory, UserFactory
from tests.plans.conftest import generate_draft

pytestmark = pytest.mark.django_db(transaction=True)


def _lead_and_plan(length: int = 30):
    lead = UserFactory.create(email="lea@example.org", name="Lea Lead")
    team = TeamFactory.create(name="ML Platform", slug="ml-platform")
    MembershipFactory.create(team=team, user=lead, role="lead")
    return lead, generate_draft(team, lead, length=length)


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email:").fill(email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_plan_reads_on_a_phone_and_its_phases_fold_by_keyboard(
    live_server, browser: Browser, shot, javascript: bool
):
    lead, plan = _lead_and_plan(length=14)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=javascript
    )
    page = context.new_page()
    _sign_in(page, live_server.url, lead.email)
    page.goto(f"{live_server.url}/teams/ml-platform/plans/{plan.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review your plan")
    expect(page.get_by_role("note")).to_contain_text("core steps wait in the backlog")
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not wide, "the page scrolls sideways at 390 px"
    shot("plan-phone", page)

    second = page.locator("details.phase#phase-2")
    expect(second).to_have_attribute("open", "")
    summary = second.locator("> summary")
    summary.focus()
    page.keyboard.press("Enter")  # folds the phase, no JavaScript of ours needed
    expect(second).not_to_have_attribute("open", "")
    expect(second.locator(".task-list")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(second.locator(".task-list")).to_be_visible()
    context.close()


def test_a_band_is_edited_as_a_band_with_its_unit(live_server, page: Page, shot):
    lead, plan = _lead_and_plan()
    gpu = plan.kpi_targets.get(kpi_id="gpu_utilisation")
    _sign_in(page, live_server.url, lead.email)
    page.goto(f"{live_server.url}/teams/ml-platform/plans/{plan.pk}/#kpi-{gpu.pk}")
    row = page.locator(f"#kpi-{gpu.pk}")
    expect(row).to_contain_text("held at 18 %")
    row.get_by_label("From").fill("55")
    row.get_by_label("to", exact=True).fill("80")
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Healthy band saved.")).to_be_visible()
    gpu.refresh_from_db()
    assert (gpu.band_low, gpu.band_high, gpu.target) == (55, 80, 18)
    shot("band-saved")
