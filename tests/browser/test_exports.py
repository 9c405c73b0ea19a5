"""Exports in a browser: the plan page's CSV link downloads the plan, and the printable
report reads on screen, on a phone and on paper (print media), without inline styles."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import SCREENSHOTS
from tests.factories import PASSWORD
from tests.progress.plans import running_plan

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email:").fill(email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{url}/")


def test_the_csv_link_downloads_the_plan(live_server, page: Page, shot, lead, engineer, team):
    engineer.name = "Jürg Müller"
    engineer.save(update_fields=["name"])
    plan = running_plan(team, lead, day=3)
    first = plan.tasks.order_by("day", "position", "pk").first()
    assert first is not None
    plan.tasks.filter(pk=first.pk).update(assignee=engineer, note="=cmd|' /C calc'!A0")
    _sign_in(page, live_server.url, engineer.email)
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    exports = page.get_by_role("navigation", name="Export")
    shot("plan-with-exports")
    with page.expect_download() as info:
        exports.get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename == f"ml-platform-plan-{plan.start_date}.csv"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    header, *rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    assert header[:3] == ["Phase", "First day", "Due day"]
    assert len(rows) == plan.tasks.count()
    row = dict(zip(header, rows[0], strict=True))
    assert row["Assignee"] == "Jürg Müller"
    assert row["Note"] == "'=cmd|' /C calc'!A0"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_report_prints_without_navigation_and_reads_on_a_phone(
    live_server, browser: Browser, shot, lead, team, javascript: bool
):
    plan = running_plan(team, lead, day=10)
    context = browser.new_context(
        viewport={"width": 1280, "height": 860}, java_script_enabled=javascript, locale="en-GB"
    )
    page = context.new_page()
    _sign_in(page, live_server.url, lead.email)
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    page.get_by_role("link", name="Printable report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("30-day plan of ML Platform")
    expect(page.get_by_text("use your browser's Print command")).to_be_visible()
    button = page.get_by_role("button", name="Print")
    if javascript:
        expect(button).to_be_visible()
    else:
        expect(button).to_be_hidden()  # a button that would do nothing is not shown
    shot(f"report-screen-{'js' if javascript else 'no-js'}", page)

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".report-actions")).to_be_hidden()
    expect(page.locator(".breadcrumb")).to_be_hidden()
    # On paper a table stays a table: its header row shows, each row on one line.
    expect(page.locator(".report-tasks thead").first).to_be_visible()
    shot(f"report-print-{'js' if javascript else 'no-js'}", page)
    if javascript:
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF")
        (SCREENSHOTS / "report-a4.pdf").write_bytes(pdf)

    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 390, "height": 844})
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not wide, "the report scrolls sideways at 390 px"
    shot(f"report-phone-{'js' if javascript else 'no-js'}", page)
    if javascript:  # what a phone shows first, and the KPI table, as the eye sees them
        page.screenshot(path=str(SCREENSHOTS / "report-phone-first-screen.png"))
        page.locator("#kpi-title").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "report-phone-kpis.png"))
    context.close()
