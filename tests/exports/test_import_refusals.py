"""Bad import files and the wrong people: a clear message at the upload field, and nothing
stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from planner.plans.models import Activity, Plan, PlanTask
from planner.progress.models import KpiMeasurement
from tests.exports.test_team_json import export, second_team, upload

pytestmark = pytest.mark.django_db


def _stored() -> tuple[int, int, int, int]:
    return (
        Plan.objects.count(),
        PlanTask.objects.count(),
        Activity.objects.count(),
        KpiMeasurement.objects.count(),
    )


@pytest.fixture
def document(client: Client, plan, lead, engineer) -> dict[str, Any]:
    client.force_login(lead)
    second_team(lead, engineer)
    return export(client, "ml-platform")


def _refused(client: Client, content: bytes) -> str:
    before = _stored()
    response = upload(client, "ml-platform-2", content)
    assert response.status_code == 400
    assert _stored() == before
    page: str = response.content.decode()
    assert 'id="id_file_error"' in page or "errorlist" in page
    return page


def test_a_file_that_is_not_json_is_refused(client: Client, document):
    page = _refused(client, b"\x89PNG\r\n\x1a\n not json at all")
    assert "This is not a JSON file." in page


def test_json_that_is_no_export_is_refused(client: Client, document):
    assert "not a Planner team export" in _refused(client, b'{"plans": []}')


def test_another_version_is_named(client: Client, document):
    document["version"] = 2
    page = _refused(client, json.dumps(document).encode())
    assert "This export is of version 2; this Planner reads version 1." in page


def test_a_missing_field_is_named_with_its_place(client: Client, document):
    del document["plans"][0]["tasks"][3]["title"]
    page = _refused(client, json.dumps(document).encode())
    assert "plans › 0 › tasks › 3 › title: Field required" in page


def test_a_broken_reference_is_refused(client: Client, document):
    document["plans"][0]["activity"][0]["task"] = 999
    page = _refused(client, json.dumps(document).encode())
    assert "an activity names task 999" in page


def test_a_title_with_a_line_break_is_refused(client: Client, document):
    document["plans"][0]["tasks"][0]["title"]["en"] = "two\nlines"
    assert "must be one line" in _refused(client, json.dumps(document).encode())


def test_a_file_over_the_limit_is_refused(client: Client, document):
    content = json.dumps(document).encode()
    with override_settings(IMPORT_MAX_BYTES=len(content) - 1):
        page = _refused(client, content)
    assert "The file is larger than" in page
    assert "the most that can be imported" in page


def test_a_file_nested_deeper_than_the_parser_goes_is_refused(client: Client, document):
    assert "This is not a JSON file." in _refused(client, b"[" * 100_000)


def test_the_import_checks_the_csrf_token(document, lead):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    before = _stored()
    response = upload(client, "ml-platform-2", json.dumps(document).encode())
    assert response.status_code == 403
    assert _stored() == before


def test_an_engineer_cannot_import(client: Client, document, engineer):
    client.force_login(engineer)
    before = _stored()
    response = upload(client, "ml-platform-2", json.dumps(document).encode())
    assert response.status_code == 403
    assert _stored() == before
    assert client.get("/teams/ml-platform-2/import/").status_code == 403


def test_an_outsider_sees_neither_export_nor_import(client: Client, plan, outsider, lead):
    client.force_login(outsider)
    for path in (
        f"/teams/ml-platform/plans/{plan.pk}/export.csv",
        f"/teams/ml-platform/plans/{plan.pk}/export.md",
        f"/teams/ml-platform/plans/{plan.pk}/report/",
        "/teams/ml-platform/export.json",
        "/teams/ml-platform/import/",
    ):
        assert client.get(path).status_code == 404, path
    client.force_login(lead)
    document = export(client, "ml-platform")
    client.force_login(outsider)
    before = _stored()
    assert upload(client, "ml-platform", json.dumps(document).encode()).status_code == 404
    assert _stored() == before


def test_another_teams_plan_is_not_found(client: Client, plan, lead, engineer):
    other = second_team(lead, engineer)
    client.force_login(lead)
    assert other.slug != plan.team.slug
    for suffix in ("export.csv", "export.md", "report/"):
        assert client.get(f"/teams/{other.slug}/plans/{plan.pk}/{suffix}").status_code == 404
