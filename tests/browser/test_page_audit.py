"""Every main page, in both languages, checked by tools nobody here wrote: axe-core for
accessibility (no serious or critical violation), the Nu HTML Checker for markup (no
error), and a phone's width (390 px: no sideways scroll). Screenshots at 1280 and 390 px
go to var/screenshots/."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from django.urls import reverse
from playwright.sync_api import Page

from planner.accounts.models import User
from planner.api.models import Scope
from planner.api.services import api_token_create
from planner.plans.models import Plan
from planner.teams.models import Team
from planner.webhooks.services import endpoint_create
from tests.factories import PASSWORD
from tests.progress.plans import running_plan

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
VNU = ROOT / "var" / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PHONE = 390
SERIOUS = {"serious", "critical"}
# The innermost elements that reach past the right edge: what makes a page scroll sideways.
# A card or table whose content is wider than itself (cut off or scrolling inside).
CLIPPED = """() => Array.from(document.querySelectorAll('.card, table'))
  .filter(e => e.closest('.visually-hidden') === null && e.scrollWidth > e.clientWidth + 1)
  .slice(0, 3)
  .map(e => `${e.tagName.toLowerCase()}.${e.className} ${e.scrollWidth}>${e.clientWidth}px`)"""
# Their text counts: a long word overflows its heading without widening the heading's box.
WIDE_ELEMENTS = """width => {
  const right = e => e.getBoundingClientRect().left + Math.max(e.scrollWidth, e.offsetWidth);
  return Array.from(document.querySelectorAll('body *'))
    .filter(e => right(e) > width + 1)
    .filter(e => !Array.from(e.children).some(c => right(c) > width + 1))
    .slice(0, 3)
    .map(e => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(right(e))}px`);
}"""


def _pages(team: Team, plan: Plan) -> dict[str, str]:
    lead = team.memberships.get(role="lead").user
    assert plan.started_at is not None
    api_token_create(
        team=team, user=lead, name="GitHub Actions: terraform apply", scope=Scope.WRITE,
        expires_at=plan.started_at + timedelta(days=90),
    )  # fmt: skip
    endpoint, _secret = endpoint_create(
        team=team, user=lead, url="https://127.0.0.1:9/hooks/planner", description="CI bot",
        events=["task.done", "target.reached"],
    )  # fmt: skip
    task = plan.tasks.order_by("day", "pk").first()
    assert task is not None
    target = plan.kpi_targets.order_by("pk").first()
    assert target is not None
    return {
        "my-tasks": "/",
        "all-teams": "/teams/",
        "team": f"/teams/{team.slug}/",
        "dashboard": f"/teams/{team.slug}/progress/",
        "plan": plan.get_absolute_url(),
        "plan-report": f"/teams/{team.slug}/plans/{plan.pk}/report/",
        "task": task.get_absolute_url(),
        "kpi": f"/teams/{team.slug}/plans/{plan.pk}/kpis/{target.pk}/measurements/",
        "reminder-schedule": f"/teams/{team.slug}/plans/{plan.pk}/reminders/",
        "assessment": f"/teams/{team.slug}/assessment/",
        "profile": "/accounts/profile/",
        "reminder-settings": "/accounts/reminders/",
        "password": "/accounts/password/change/",
        "new-team": "/teams/new/",
        "team-import": f"/teams/{team.slug}/import/",
        "team-settings": f"/teams/{team.slug}/settings/",
        "api-tokens": f"/teams/{team.slug}/api-tokens/",
        "integrations": f"/teams/{team.slug}/integrations/",
        "webhook": reverse(
            "webhook_endpoint", kwargs={"team_slug": team.slug, "endpoint_id": endpoint.pk}
        ),
    }


def _sign_in(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/")


def _validate(documents: dict[str, str], folder: Path) -> list[str]:
    """The Nu HTML Checker's errors, each with the page it is on."""
    if not VNU.exists():
        if os.environ.get("CI"):
            pytest.fail(f"needs the Nu HTML Checker at {VNU} (make test installs it)")
        pytest.skip(f"needs the Nu HTML Checker at {VNU} (make test installs it)")
    files = []
    for name, html in documents.items():
        path = folder / f"{name}.html"
        path.write_text(html)
        files.append(str(path))
    done = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    return [f"{Path(m['url']).stem}: {m['message']} ({m.get('extract', '')!r})" for m in messages]


@pytest.mark.parametrize("language", ["en", "de"])
def test_main_pages_pass_axe_the_nu_checker_and_a_phones_width(
    live_server, page: Page, shot, lead, team, language: str, tmp_path: Path
):
    User.objects.filter(pk=lead.pk).update(language=language)
    plan = running_plan(team, lead, day=10)
    _sign_in(page, live_server.url, lead)
    axe = Axe()
    problems: list[str] = []
    documents: dict[str, str] = {}
    for name, path in _pages(team, plan).items():
        for width in (1280, PHONE):
            page.set_viewport_size({"width": width, "height": 860})
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None
            assert response.ok, f"{name}: {response.status}"
            if width == PHONE:
                # Open every fold (skip forms, plan phases) so that what they hide fits too.
                page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
                # Measured before the screenshot, which resizes the page to take it whole.
                scroll = page.evaluate("document.documentElement.scrollWidth")
                clipped = page.evaluate(CLIPPED)
                if clipped:
                    problems.append(f"{name}: overflows its box at {PHONE} px: {clipped}")
                if scroll > PHONE:
                    wide = page.evaluate(WIDE_ELEMENTS, PHONE)
                    problems.append(f"{name}: {scroll} px wide at {PHONE} px: {wide}")
                shot(f"{language}-{name}-{width}")
                continue
            shot(f"{language}-{name}-{width}")
            documents[f"{language}-{name}"] = response.text()
            for violation in axe.run(page).response["violations"]:
                if violation["impact"] in SERIOUS:
                    targets = [node["target"] for node in violation["nodes"]][:3]
                    problems.append(f"{name}: axe {violation['id']} {targets}")
    # Between phone and desktop the navigation wraps: the language switcher stays on the
    # right, not under the logo.
    page.set_viewport_size({"width": 820, "height": 860})
    page.goto(f"{live_server.url}/")
    header = page.locator(".site-header").bounding_box()
    assert header is not None
    assert header["height"] > 60  # wrapped: this width tests the wrapping
    nav = page.locator(".nav").bounding_box()
    switcher = page.locator(".language-switcher").bounding_box()
    assert nav is not None
    assert switcher is not None
    if switcher["x"] + switcher["width"] < nav["x"] + nav["width"] - 40:
        problems.append(f"language switcher not on the right at 820 px: {switcher}")
    problems += _validate(documents, tmp_path)
    assert problems == []
