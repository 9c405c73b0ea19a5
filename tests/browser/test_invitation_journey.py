"""A lead signs up, creates a team and invites an engineer, who joins from the emailed link."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-and-uncommon-passphrase-42"


def _link_in_last_email(to: str, pattern: str) -> str:
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    match = re.search(pattern, str(message.body))
    assert match, f"no link matching {pattern!r} in the email to {to}"
    return match.group(0)


def _sign_up(page: Page, name: str, email: str, shot) -> None:
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again):").fill(PASSWORD)
    shot("signup-filled")
    page.get_by_role("button", name="Sign Up").click()


def test_lead_invites_engineer_who_joins_from_email(live_server, page: Page, shot, settings):
    settings.SITE_URL = live_server.url
    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ship ML models")
    shot("landing")

    # The lead signs up and confirms the address from the verification email.
    page.get_by_role("link", name="Sign up").first.click()
    _sign_up(page, "Lena Keller", "lena@example.org", shot)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify Your Email Address")
    shot("verification-sent")
    page.goto(_link_in_last_email("lena@example.org", r"https?://\S+/accounts/confirm-email/\S+/"))
    shot("confirm-email")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
    shot("home-empty")

    # She creates a team and invites an engineer.
    page.get_by_role("link", name="Create a team").click()
    page.get_by_label("Team name").fill("Vision Models")
    page.get_by_label("Time zone").select_option("Europe/Zurich")
    shot("team-create")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vision Models")
    page.get_by_label("Email address").fill("erik@example.org")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#invitations")).to_contain_text("Invitation sent to erik@example.org")
    expect(page.locator("#invitations table")).to_contain_text("erik@example.org")
    shot("team-invited")

    # The engineer opens the link from the email in his own browser and signs up.
    invitation_link = _link_in_last_email("erik@example.org", r"https?://\S+/invitations/\S+/")
    engineer_context = page.context.browser.new_context()  # type: ignore[union-attr]
    engineer = engineer_context.new_page()
    engineer.goto(invitation_link)
    expect(engineer.get_by_role("heading", level=1)).to_have_text("Join Vision Models")
    shot("invitation", engineer)
    engineer.get_by_role("link", name="Create account").click()
    expect(engineer.get_by_label("Email")).to_have_value("erik@example.org")
    engineer.get_by_label("Name").fill("Erik Berg")
    engineer.get_by_label("Password:", exact=True).fill(PASSWORD)
    engineer.get_by_label("Password (again):").fill(PASSWORD)
    shot("engineer-signup", engineer)
    engineer.get_by_role("button", name="Sign Up").click()
    # The invitation proved the address: no second verification email is needed.
    expect(engineer.get_by_role("heading", level=1)).to_have_text("Join Vision Models")
    engineer.get_by_role("button", name="Join team").click()
    expect(engineer.get_by_role("heading", level=1)).to_have_text("Vision Models")
    expect(engineer.locator("#members")).to_contain_text("Erik Berg")
    expect(engineer.locator("#members")).to_contain_text("Lena Keller")

    # Both see the team: the engineer on his home page, the lead in her member list.
    engineer.get_by_role("link", name="My tasks").click()
    expect(engineer.get_by_role("link", name="Vision Models")).to_be_visible()
    shot("engineer-home", engineer)
    page.reload()
    expect(page.locator("#members")).to_contain_text("Erik Berg")
    expect(page.locator("#invitations")).not_to_contain_text("erik@example.org")
    shot("team-with-engineer")
    engineer_context.close()
