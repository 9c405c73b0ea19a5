"""A German-speaking engineer sees the app in German, chosen in the profile or the switcher."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from planner.assessment.examples import MANUAL
from planner.assessment.models import Assessment
from planner.plans.services import plan_generate
from planner.playbook.loader import get_playbook
from tests.factories import PASSWORD, MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_german_engineer_sees_team_page_in_german(live_server, page: Page, shot):
    user = UserFactory.create(email="erika@example.ch", name="Erika", language="de")
    team = TeamFactory.create(name="Betrieb Zürich", slug="betrieb")
    MembershipFactory.create(team=team, user=user, role="engineer")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email:").fill(user.email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Aufgaben")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    shot("home-de")
    page.get_by_role("link", name="Betrieb Zürich").click()
    expect(page.get_by_role("heading", name="Mitglieder")).to_be_visible()
    expect(page.get_by_role("button", name="Team verlassen")).to_be_visible()
    shot("team-de")
    assert "ß" not in page.content()


def test_visitor_switches_to_german_without_javascript(live_server, browser, shot):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url)
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("link", name="Registrieren").first).to_be_visible()
    shot("landing-de", page)
    context.close()


def test_german_lead_reviews_the_plan_in_german(live_server, page: Page, shot):
    lead = UserFactory.create(email="lea@example.ch", name="Lea", language="de")
    team = TeamFactory.create(name="Modellbetrieb", slug="modellbetrieb")
    MembershipFactory.create(team=team, user=lead, role="lead")
    playbook = get_playbook()
    assessment = Assessment.objects.create(
        team=team, created_by=lead, playbook_version=playbook.version, answers=MANUAL
    )
    plan = plan_generate(
        assessment=assessment, playbook=playbook, user=lead, length=30, start=date(2027, 3, 1)
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email:").fill(lead.email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{live_server.url}/teams/modellbetrieb/plans/{plan.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan überprüfen")
    terraform = plan.tasks.filter(catalogue_id="infra_terraform_foundation").first()
    assert terraform is not None
    why = page.locator(f"#task-{terraform.pk} .why")
    expect(why).to_contain_text("haben Sie «Keines» geantwortet")
    expect(page.get_by_role("heading", name="KPI-Ziele")).to_be_visible()
    shot("plan-de")
    page.goto(f"{live_server.url}/teams/modellbetrieb/assessment/result/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ergebnis der Selbsteinschätzung")
    widths = page.locator("rect.chart-target").evaluate_all(
        "els => els.map(e => e.width.baseVal.value)"
    )
    assert widths
    assert all(width > 0 for width in widths)  # "90,0" would be no width at all
    shot("result-de")
    assert "ß" not in page.content()


def test_german_engineer_reads_progress_and_ticks_in_german(live_server, page: Page, shot):
    from planner.plans.models import PlanTask
    from tests.progress.plans import running_plan

    lead = UserFactory.create(email="lena@example.ch", name="Lena")
    user = UserFactory.create(email="erika@example.ch", name="Erika", language="de")
    team = TeamFactory.create(name="Betrieb Zürich", slug="betrieb")
    MembershipFactory.create(team=team, user=lead, role="lead")
    MembershipFactory.create(team=team, user=user, role="engineer")
    plan = running_plan(team, lead, day=9)
    plan.tasks.filter(day__lt=9).update(assignee=user)
    first = plan.tasks.filter(assignee=user).order_by("day", "position").first()
    assert first is not None

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email:").fill(user.email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Überfällig")).to_be_visible()
    page.locator(f"#my-task-{first.pk}").get_by_role("button", name="als erledigt").click()
    expect(page.locator(f"#my-task-{first.pk}")).to_contain_text("erledigt")
    shot("my-tasks-de")
    page.goto(f"{live_server.url}/teams/{team.slug}/progress/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fortschritt von Betrieb Zürich")
    expect(page.locator(".feed")).to_contain_text(f"Erika hat {first.title['de']} abgehakt")
    expect(page.locator(".phase-cell.current")).to_contain_text("Phase 2")
    shot("dashboard-de")
    assert PlanTask.objects.get(pk=first.pk).status == "done"
