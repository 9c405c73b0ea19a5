"""The API in a browser: a lead creates a token on its page and a script uses it; the
interactive API reference renders from Planner's own files within the CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from planner.api.models import ApiToken
from tests.factories import PASSWORD
from tests.progress.plans import running_plan

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email:").fill(email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{url}/")


def test_a_lead_creates_a_token_a_script_ticks_with_it_and_the_lead_revokes_it(
    live_server, page: Page, shot, lead, team
):
    plan = running_plan(team, lead, day=3)
    _sign_in(page, live_server.url, lead.email)
    page.goto(f"{live_server.url}/teams/{team.slug}/settings/")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name:").fill("GitHub Actions")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("Token", exact=True).input_value()
    assert re.fullmatch(r"plnr_[\w-]{40,}", secret)
    shot("token-shown-once")
    task = plan.tasks.order_by("pk").first()
    assert task is not None
    api = f"{live_server.url}/api/v1/teams/{team.slug}/plans/active/tasks/{task.pk}/status"
    answer = page.request.post(
        api, data={"status": "done"}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 200, answer.text()
    page.goto(f"{live_server.url}/teams/{team.slug}/progress/")
    expect(page.get_by_text("(through GitHub Actions)")).to_be_visible()
    page.goto(f"{live_server.url}/teams/{team.slug}/api-tokens/")
    row = page.get_by_role("row", name=re.compile("GitHub Actions"))
    expect(row).not_to_contain_text("never")  # its last use shows
    row.get_by_role("button", name=re.compile("Revoke")).click()
    expect(page.get_by_role("row", name=re.compile("GitHub Actions"))).to_contain_text("Revoked")
    shot("token-revoked")
    assert ApiToken.objects.get().revoked_at is not None
    refused = page.request.get(
        f"{live_server.url}/api/v1/teams", headers={"Authorization": f"Bearer {secret}"}
    )
    assert refused.status == 401


def test_the_api_reference_renders_from_our_own_files(live_server, page: Page, shot):
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.get_by_text("Planner API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/teams/{team}/plans/{plan}/tasks").first).to_be_visible()
    shot("api-reference")
    assert [url for url in outside if not url.startswith("data:")] == []
