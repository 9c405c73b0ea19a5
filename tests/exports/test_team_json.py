"""A team as JSON and back: the export validates against its own schema, and importing it
into another team and exporting that gives the same document."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from planner.exports import schema
from planner.plans.models import Activity, Plan, PlanStatus
from planner.progress.models import KpiMeasurement
from tests.exports.conftest import NOTE, TITLE
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def export(client: Client, slug: str) -> dict[str, Any]:
    response = client.get(f"/teams/{slug}/export.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    document: dict[str, Any] = json.loads(response.content)
    return document


def upload(client: Client, slug: str, content: bytes, name: str = "export.json") -> Any:
    return client.post(
        f"/teams/{slug}/import/", {"file": SimpleUploadedFile(name, content, "application/json")}
    )


def normalized(document: dict[str, Any]) -> dict[str, Any]:
    """The document without what differs by design between two teams' exports."""
    return {key: value for key, value in document.items() if key not in ("exported_at", "team")}


def second_team(lead: Any, engineer: Any, slug: str = "ml-platform-2") -> Any:
    team = TeamFactory.create(name="ML Platform (new)", slug=slug)
    MembershipFactory.create(team=team, user=lead, role="lead")
    MembershipFactory.create(team=team, user=engineer, role="engineer")
    return team


def test_the_export_holds_plans_tasks_kpis_measurements_and_the_feed(
    client: Client, plan, engineer
):
    client.force_login(engineer)  # any member may export
    response = client.get("/teams/ml-platform/export.json")
    assert response["Content-Disposition"] == (
        'attachment; filename="ml-platform-planner-2027-02-10.json"'
    )
    document = json.loads(response.content)
    assert (document["format"], document["version"]) == ("planner-team-export", 1)
    assert document["exported_at"].startswith("2027-02-10T09:00:00")
    schema.TeamExport.model_validate(document)
    (exported,) = document["plans"]
    assert exported["status"] == "active"
    assert len(exported["tasks"]) == plan.tasks.count()
    assert len(exported["backlog"]) == plan.backlog.count()
    first = exported["tasks"][0]
    assert first["title"]["en"] == TITLE
    assert first["note"] == NOTE
    assert first["assignee"] == {"email": "engineer@example.org", "name": "Jürg Müller"}
    assert first["status"] == "done"
    measured = [k for k in exported["kpi_targets"] if k["measurements"]]
    assert measured[0]["measurements"][0]["note"] == "erste Messung"
    kinds = [entry["kind"] for entry in exported["activity"]]
    assert kinds == ["done", "noted", "skipped", "measured"]
    assert exported["activity"][0]["task"] == first["ref"]
    assert exported["activity"][-1]["kpi"] == measured[0]["kpi_id"]


def test_a_team_imported_elsewhere_exports_the_same_document(client: Client, plan, lead, engineer):
    client.force_login(lead)
    first = export(client, "ml-platform")
    second_team(lead, engineer)  # the same people, no plan of its own yet
    response = upload(client, "ml-platform-2", json.dumps(first).encode())
    assert response.status_code == 302, response.content.decode()
    again = export(client, "ml-platform-2")
    assert normalized(again) == normalized(first)
    imported = Plan.objects.get(team__slug="ml-platform-2")
    assert imported.status == PlanStatus.ACTIVE
    # Its reminders count from the import: boundaries before it are not sent late.
    assert imported.reminders_from is not None
    assert imported.reminders_from.isoformat().startswith("2027-02-10T09:00")


def test_people_who_are_not_members_stay_unassigned_and_named_in_the_feed(
    client: Client, plan, lead, engineer
):
    client.force_login(lead)
    document = export(client, "ml-platform")
    team = TeamFactory.create(name="Elsewhere", slug="elsewhere")
    MembershipFactory.create(team=team, user=lead, role="lead")
    stranger_count = UserFactory._meta.model.objects.count()
    response = upload(client, "elsewhere", json.dumps(document).encode())
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Imported 1 plan with" in page
    assert "Jürg Müller &lt;engineer@example.org&gt;" in page  # told who was not matched
    imported = Plan.objects.get(team=team)
    assert not imported.tasks.filter(assignee=engineer).exists()
    assert not team.memberships.filter(user=engineer).exists()  # never added
    assert UserFactory._meta.model.objects.count() == stranger_count  # nobody created
    done = Activity.objects.get(plan=imported, kind="done")
    assert done.actor is None
    assert done.detail["actor_name"] == "Jürg Müller"
    feed = client.get("/teams/elsewhere/progress/").content.decode()
    assert "Jürg Müller ticked off" in feed
    # Exported again, the feed still names who did it.
    again = export(client, "elsewhere")
    assert again["plans"][0]["activity"][0]["actor"] == {
        "email": "engineer@example.org",
        "name": "Jürg Müller",
    }
    assert KpiMeasurement.objects.filter(target__plan=imported, recorded_by=None).count() == 1


def test_a_team_without_plans_exports_and_imports_an_empty_list(client: Client, team, lead):
    client.force_login(lead)
    document = export(client, "ml-platform")
    assert document["plans"] == []
    assert document["team"] == {
        "name": "ML Platform",
        "slug": "ml-platform",
        "time_zone": "Europe/Zurich",
        "language": "en",
    }
    response = upload(client, "ml-platform", json.dumps(document).encode())
    assert response.status_code == 302
    assert "Imported 0 plans with 0 tasks." in client.get(response["Location"]).content.decode()


def test_a_running_plan_is_refused_while_the_team_runs_one(client: Client, plan, lead):
    client.force_login(lead)
    document = export(client, "ml-platform")
    before = Plan.objects.count(), Activity.objects.count()
    response = upload(client, "ml-platform", json.dumps(document).encode())
    assert response.status_code == 400
    assert "This team already runs a plan" in response.content.decode()
    assert (Plan.objects.count(), Activity.objects.count()) == before


def test_finished_and_draft_plans_import_beside_a_running_one(client: Client, plan, lead):
    client.force_login(lead)
    document = export(client, "ml-platform")
    document["plans"][0]["status"] = "finished"
    response = upload(client, "ml-platform", json.dumps(document).encode())
    assert response.status_code == 302
    assert Plan.objects.filter(team=plan.team, status="finished").count() == 1
