"""The printable report: phases with tasks, owners and state, the KPI table, maturity before
and after, the backlog; print styles in a static file; links to every export."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client

from planner.assessment.examples import IAC_NO_MONITORING
from planner.assessment.models import Assessment
from planner.plans.models import Plan
from tests.exports.conftest import NOW

pytestmark = pytest.mark.django_db


def _report(client: Client, plan) -> str:
    response = client.get(f"/teams/ml-platform/plans/{plan.pk}/report/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_report_shows_tasks_owners_states_kpis_and_backlog(client: Client, plan, engineer):
    client.force_login(engineer)
    page = _report(client, plan)
    assert "30-day plan of ML Platform" in page
    assert "Phase 1: Analysis and planning, days 1–7" in page
    assert "Prüfung *wichtig* #1 | [x](javascript:y) &lt;b&gt;" in page  # escaped as HTML
    assert "<b>gut</b>" not in page
    assert "Jürg Müller" in page
    assert '<span class="badge success">Done</span>' in page
    assert "Äpfel" in page
    target = plan.kpi_targets.order_by("pk").first()
    assert target is not None
    row = re.search(rf"<th scope=\"row\">{target.title_text}</th>(.*?)</tr>", page, re.S)
    assert row, page
    assert "240\xa0ms" in row.group(1)  # baseline and latest measurement
    assert "192\xa0ms" in row.group(1)  # target
    assert "Before the plan" in page
    assert "“After” waits for the team to take the self-assessment again." in page
    assert "more work than the team&#x27;s hours hold" in page  # a backlog reason
    assert 'href="/static/css/report.css"' in page
    assert 'src="/static/js/print.js"' in page
    assert "Ctrl+P" in page
    assert "style=" not in page  # the Content-Security-Policy allows no inline style


def test_a_later_self_assessment_is_the_maturity_after(client: Client, plan, lead, engineer):
    Plan.objects.filter(pk=plan.pk).update(started_at=NOW - timedelta(days=9))
    Assessment.objects.create(
        team=plan.team,
        created_by=lead,
        playbook_version=plan.playbook_version,
        answers=IAC_NO_MONITORING,
        completed_at=NOW - timedelta(hours=1),
    )
    client.force_login(engineer)
    page = _report(client, plan)
    assert "“After” is the self-assessment of" in page
    infrastructure = re.search(r"Infrastructure automation \(IaC\)</th>(.*?)</tr>", page, re.S)
    assert infrastructure
    cells = re.findall(r"</span>(\d|—)</td>", infrastructure.group(1))
    assert cells[0] == "0"  # before
    assert cells[-1] not in ("0", "—")  # after: the team has IaC now


def test_the_report_reads_in_german(client: Client, plan, engineer):
    engineer.language = "de"
    engineer.save(update_fields=["language"])
    client.force_login(engineer)
    page = _report(client, plan)
    assert "Erledigt" in page
    assert "Ausgangswert" in page
    assert "Backlog" in page
    assert "Reifegrad pro Bereich" in page


def test_the_plan_page_links_every_export(client: Client, plan, engineer):
    client.force_login(engineer)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert f'href="/teams/ml-platform/plans/{plan.pk}/export.csv"' in page
    assert f'href="/teams/ml-platform/plans/{plan.pk}/export.md"' in page
    assert f'href="/teams/ml-platform/plans/{plan.pk}/report/"' in page


def test_the_team_settings_link_the_json_export_and_the_import(client: Client, team, lead):
    client.force_login(lead)
    page = client.get("/teams/ml-platform/settings/").content.decode()
    assert 'href="/teams/ml-platform/export.json"' in page
    assert 'href="/teams/ml-platform/import/"' in page
