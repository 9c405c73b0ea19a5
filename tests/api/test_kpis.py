"""KPIs and measurements through the API: one value, a batch, idempotent by client key,
all or nothing; and the progress summary."""

from __future__ import annotations

from datetime import timedelta

import pytest

from planner.plans.models import Activity, Plan, PlanStatus
from planner.progress.models import KpiMeasurement
from tests.api.conftest import NOW

pytestmark = pytest.mark.django_db

PLAN = "/teams/ml-platform/plans/active"


def _state() -> tuple[int, int]:
    return KpiMeasurement.objects.count(), Activity.objects.filter(kind="measured").count()


def test_the_kpis_show_baseline_target_latest_and_whether_reached(reader, api, plan):
    kpis = {k["kpi"]: k for k in reader.get(PLAN + "/kpis").json()}
    latency = kpis["avg_latency"]
    assert (latency["baseline"], latency["target"], latency["latest"]) == (240.0, 192.0, None)
    api.post(PLAN + "/kpis/avg_latency/measurements", {"value": 180})
    latency = {k["kpi"]: k for k in reader.get(PLAN + "/kpis").json()}["avg_latency"]
    assert latency["latest"] == 180.0
    assert latency["reached"] is True


def test_one_value_is_recorded_once_per_client_key(api, plan):
    url = PLAN + "/kpis/avg_latency/measurements"
    body = {"value": 210.5, "measured_at": "2027-02-01T08:30:00+01:00", "client_key": "run-41"}
    first = api.post(url, body)
    assert first.status_code == 201
    assert first.json()["measurement"]["measured_at"] == "2027-02-01T07:30:00Z"
    again = api.post(url, body)
    assert again.status_code == 200
    assert again.json() == {**first.json(), "created": False}
    assert _state() == (1, 1)
    changed = api.post(url, {**body, "value": 200})
    assert changed.status_code == 409
    assert changed.json()["errors"][0]["field"] == "client_key"
    assert _state() == (1, 1)


def test_a_batch_is_stored_all_or_nothing_and_a_resent_batch_once(api, plan):
    batch = {
        "measurements": [
            {"kpi": "avg_latency", "value": 220, "client_key": "n-1-lat"},
            {"kpi": "model_size", "value": 1500, "client_key": "n-1-size"},
        ]
    }
    first = api.post(PLAN + "/measurements", batch)
    assert first.status_code == 201
    assert (first.json()["created"], first.json()["replayed"]) == (2, 0)
    again = api.post(PLAN + "/measurements", batch)
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["replayed"]) == (0, 2)
    assert _state() == (2, 2)
    bad = {"measurements": [*batch["measurements"], {"kpi": "avg_latency", "value": -1}]}
    bad["measurements"][0] = {"kpi": "avg_latency", "value": 230, "client_key": "n-2-lat"}
    refused = api.post(PLAN + "/measurements", bad)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "measurements.2.value"
    assert _state() == (2, 2)


def test_an_unknown_kpi_is_named_and_nothing_is_stored(api, plan):
    refused = api.post(
        PLAN + "/measurements",
        {"measurements": [{"kpi": "avg_latency", "value": 1}, {"kpi": "nope", "value": 1}]},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"field": "measurements.1.kpi", "message": "There is no KPI nope in this plan."}
    ]
    assert api.post(PLAN + "/kpis/nope/measurements", {"value": 1}).status_code == 404
    assert _state() == (0, 0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": "fast"}, "value"),
        ({}, "value"),
        ({"value": 100, "measured_at": "2027-02-01T08:30:00"}, "measured_at"),
        ({"value": 100, "measured_at": "2027-03-01T08:30:00Z"}, "measured_at"),
        ({"value": 100, "measured_at": "0001-01-01T00:00:00+14:00"}, "measured_at"),
        ({"value": 100, "client_key": "has space"}, "client_key"),
        ({"value": 100, "note": "x" * 501}, "note"),
        ({"value": 100, "extra": 1}, None),
    ],
)
def test_a_bad_value_is_422_naming_the_field(api, plan, body, field):
    answer = api.post(PLAN + "/kpis/avg_latency/measurements", body)
    if field is None:  # unknown fields are ignored, as clients add fields over time
        assert answer.status_code == 201
        return
    assert answer.status_code == 422, answer.content
    assert answer.json()["errors"][0]["field"] == field
    assert _state() == (0, 0)


def test_nan_and_infinity_are_refused(api, plan):
    for raw in ("NaN", "Infinity"):
        answer = api.client.post(
            "/api/v1" + PLAN + "/kpis/avg_latency/measurements",
            data=f'{{"value": {raw}}}',
            content_type="application/json",
            headers=api.headers,
        )
        assert answer.status_code in {400, 422}
    assert _state() == (0, 0)


def test_a_finished_plan_takes_no_measurements(api, plan):
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.FINISHED)
    answer = api.post(
        f"/teams/ml-platform/plans/{plan.pk}/kpis/avg_latency/measurements", {"value": 100}
    )
    assert answer.status_code == 409
    assert _state() == (0, 0)


def test_measurements_list_newest_first(api, reader, plan):
    url = PLAN + "/kpis/avg_latency/measurements"
    for hours, value in [(3, 230), (1, 220), (2, 225)]:
        api.post(url, {"value": value, "measured_at": (NOW - timedelta(hours=hours)).isoformat()})
    listed = reader.get(url).json()
    assert [m["value"] for m in listed["items"]] == [220, 225, 230]
    assert listed["count"] == 3


def test_the_progress_summary_matches_the_dashboard(reader, api, plan):
    task = plan.tasks.order_by("pk").first()
    api.post(f"{PLAN}/tasks/{task.pk}/status", {"status": "done"})
    summary = reader.get(PLAN + "/progress").json()
    assert summary["day"] == 3
    assert summary["phase"] == 1
    assert sum(p["done"] for p in summary["phases"]) == 1
    assert summary["effort_total"] == float(sum(t.effort_hours for t in plan.tasks.all()))
    people = {m["person"]["email"] if m["person"] else None for m in summary["members"]}
    assert "lead@example.org" in people
