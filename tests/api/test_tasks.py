"""Tasks through the API: list with filters and pages, tick, reopen, skip, note; every
refusal leaves the task and the feed as they were."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from planner.plans.models import Activity, Plan, PlanStatus, PlanTask, TaskStatus
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db

TASKS = "/teams/ml-platform/plans/active/tasks"


def _snapshot(plan: Plan) -> tuple[list[Any], int]:
    rows = list(
        PlanTask.objects.filter(plan=plan)
        .order_by("pk")
        .values_list("status", "closed_at", "skip_reason", "note", "evidence_url", "notes_revision")
    )
    return rows, Activity.objects.filter(plan=plan).count()


def test_the_list_pages_through_every_task_in_due_order(reader, plan):
    seen, url = [], TASKS + "?page_size=10"
    while url:
        page = reader.client.get(
            url if url.startswith("http") else "/api/v1" + url, headers=reader.headers
        ).json()
        seen += page["items"]
        url = page["next"]
    assert page["count"] == plan.tasks.count() == len(seen)
    assert [t["id"] for t in seen] == list(
        plan.tasks.order_by("day", "position", "pk").values_list("pk", flat=True)
    )


def test_filters_by_phase_status_assignee_and_catalogue_id(reader, plan, lead, engineer):
    first = plan.tasks.order_by("pk").first()
    PlanTask.objects.filter(pk=first.pk).update(status=TaskStatus.DONE)
    assert {t["phase"] for t in reader.get(TASKS + "?phase=2").json()["items"]} == {2}
    assert [t["id"] for t in reader.get(TASKS + "?status=done").json()["items"]] == [first.pk]
    mine = reader.get(TASKS + "?assignee=me&page_size=500").json()
    assert mine["count"] == plan.tasks.filter(assignee=lead).count() > 0
    theirs = reader.get(TASKS + "?assignee=ENGINEER@example.org&page_size=500").json()
    assert theirs["count"] == plan.tasks.filter(assignee=engineer).count() > 0
    nobody = reader.get(TASKS + "?assignee=none&page_size=500").json()
    assert nobody["count"] == plan.tasks.filter(assignee=None).count()
    catalogue_id = first.catalogue_id
    same = reader.get(f"{TASKS}?catalogue_id={catalogue_id}").json()["items"]
    assert {t["catalogue_id"] for t in same} == {catalogue_id}


def test_an_unknown_status_filter_or_phase_is_422_naming_the_field(reader, plan):
    answer = reader.get(TASKS + "?status=finished")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "status"
    assert reader.get(TASKS + "?phase=9").json()["errors"][0]["field"] == "phase"


def test_ticking_and_reopening_through_a_token_names_it_in_the_feed(api, plan, lead):
    task = plan.tasks.order_by("pk").first()
    answer = api.post(f"{TASKS}/{task.pk}/status", {"status": "done"})
    assert answer.status_code == 200
    assert answer.json()["status"] == "done"
    assert answer.json()["closed_by"] == {"name": "Lea Lead", "email": "lead@example.org"}
    entry = Activity.objects.get(plan=plan, kind="done")
    assert entry.actor == lead
    assert entry.detail == {"via": "CI pipeline"}
    again = api.post(f"{TASKS}/{task.pk}/status", {"status": "done"})
    assert again.status_code == 200
    assert Activity.objects.filter(plan=plan, kind="done").count() == 1  # nothing changed
    reopened = api.post(f"{TASKS}/{task.pk}/status", {"status": "open"})
    assert reopened.json()["status"] == "open"
    assert reopened.json()["closed_at"] is None


def test_the_feed_on_the_dashboard_says_which_token_ticked(client, api, plan, lead):
    task = plan.tasks.order_by("pk").first()
    api.post(f"{TASKS}/{task.pk}/status", {"status": "done"})
    client.force_login(lead)
    page = client.get("/teams/ml-platform/progress/").content.decode()
    assert "(through CI pipeline)" in page


def test_skipping_needs_a_reason(api, plan):
    task = plan.tasks.order_by("pk").first()
    before = _snapshot(plan)
    answer = api.post(f"{TASKS}/{task.pk}/status", {"status": "skipped"})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "reason", "message": "Say why the task is skipped."}
    ]
    assert _snapshot(plan) == before
    done = api.post(
        f"{TASKS}/{task.pk}/status", {"status": "skipped", "reason": "Done by platform"}
    )
    assert done.json()["skip_reason"] == "Done by platform"


def test_an_unknown_status_is_422_and_changes_nothing(api, plan):
    task = plan.tasks.order_by("pk").first()
    before = _snapshot(plan)
    answer = api.post(f"{TASKS}/{task.pk}/status", {"status": "finished"})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "status"
    assert _snapshot(plan) == before


def test_a_read_token_may_not_write(reader, plan):
    task = plan.tasks.order_by("pk").first()
    before = _snapshot(plan)
    answer = reader.post(f"{TASKS}/{task.pk}/status", {"status": "done"})
    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden"
    assert _snapshot(plan) == before


def test_a_plan_that_does_not_run_answers_409(api, plan):
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.PAUSED)
    task = plan.tasks.order_by("pk").first()
    before = _snapshot(plan)
    answer = api.post(
        f"/teams/ml-platform/plans/{plan.pk}/tasks/{task.pk}/status", {"status": "done"}
    )
    assert answer.status_code == 409
    assert "paused" in answer.json()["message"]
    assert _snapshot(plan) == before


def test_a_task_of_another_plan_or_an_unknown_one_is_404(api, plan):
    assert api.get(f"{TASKS}/999999").status_code == 404
    assert api.get("/teams/ml-platform/plans/999999/tasks").status_code == 404
    assert api.get(f"{TASKS}/99999999999").status_code == 422  # beyond any id: a bad value


def test_a_note_and_evidence_link_are_saved_and_a_stale_revision_is_409(api, plan):
    task = plan.tasks.order_by("pk").first()
    saved = api.put(
        f"{TASKS}/{task.pk}/note",
        {"note": "Merged", "evidence_url": "https://git.example.com/pr/7", "revision": 0},
    )
    assert saved.status_code == 200
    assert saved.json()["evidence_url"] == "https://git.example.com/pr/7"
    assert saved.json()["notes_revision"] == 1
    before = _snapshot(plan)
    stale = api.put(f"{TASKS}/{task.pk}/note", {"note": "Other", "revision": 0})
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["field"] == "note"
    bad = api.put(f"{TASKS}/{task.pk}/note", {"evidence_url": "javascript:alert(1)", "revision": 1})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "evidence_url"
    nul = api.put(f"{TASKS}/{task.pk}/note", {"note": "a\x00b", "revision": 1})
    assert nul.status_code == 422
    assert _snapshot(plan) == before


def test_an_engineer_session_ticks_with_csrf_and_is_refused_without(engineer, plan):
    client = Client(enforce_csrf_checks=True)
    client.force_login(engineer)
    task = plan.tasks.order_by("pk").first()
    url = f"{TASKS}/{task.pk}/status"
    session = Api(None, client)
    assert session.get(TASKS).status_code == 200
    refused = session.post(url, {"status": "done"})
    assert refused.status_code == 403
    assert PlanTask.objects.get(pk=task.pk).status == "open"
    client.get("/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    ticked = session.post(url, {"status": "done"}, **{"X-CSRFToken": token})
    assert ticked.status_code == 200
    assert Activity.objects.get(kind="done").detail == {}  # the person's own click


def test_an_outsider_session_gets_404(outsider, plan):
    client = Client()
    client.force_login(outsider)
    assert Api(None, client).get(TASKS).status_code == 404
