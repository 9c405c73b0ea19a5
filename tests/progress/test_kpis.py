"""Recording KPI measurements, and each KPI's card on the dashboard."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from planner.plans.models import Activity, KpiTarget, Plan, PlanStatus
from planner.progress.models import KpiMeasurement
from tests.progress.plans import running_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(team, lead) -> Plan:
    return running_plan(team, lead, day=10)


@pytest.fixture
def latency(plan: Plan) -> KpiTarget:
    return plan.kpi_targets.get(kpi_id="avg_latency")


def url(target: KpiTarget) -> str:
    plan = target.plan
    return f"/teams/{plan.team.slug}/plans/{plan.pk}/kpis/{target.pk}/measurements/"


def when(delta: timedelta = timedelta(0)) -> str:
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


def test_member_records_a_measurement_and_the_card_shows_progress(
    client: Client, engineer, latency
):
    # 240 ms less the 20 % that half precision on the GPU counts on
    assert (latency.baseline, latency.target, latency.maximum) == (240, 192, 600000)
    client.force_login(engineer)
    response = client.post(url(latency), {"value": "216", "measured_at": when(), "note": "k6"})
    assert response.status_code == 302
    stored = KpiMeasurement.objects.get(target=latency)
    assert (stored.value, stored.note, stored.recorded_by) == (216, "k6", engineer)
    assert Activity.objects.filter(kind="measured", kpi_target=latency).exists()
    board = client.get(f"/teams/{latency.plan.team.slug}/progress/").content.decode()
    assert "50% of the way to the target" in board  # 240 -> 216 of 240 -> 192
    assert "Trend of Average inference latency" not in board  # one point is no trend
    client.post(url(latency), {"value": "204", "measured_at": when(), "note": ""})
    board = client.get(f"/teams/{latency.plan.team.slug}/progress/").content.decode()
    assert "Trend of Average inference latency" in board


def test_reaching_the_target_shows_target_reached(client: Client, engineer, latency):
    client.force_login(engineer)
    client.post(url(latency), {"value": "140", "measured_at": when()})
    page = client.get(url(latency)).content.decode()
    assert "Target reached" in page


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"value": "-3"}, "Enter a value between 0 and 600000."),
        ({"value": "1e9"}, "Enter a value between 0 and 600000."),
        ({"value": "abc"}, "Enter a number."),
        ({"value": "nan"}, "Enter a number."),
        ({"measured_at": timedelta(days=2)}, "A measurement cannot be in the future."),
        ({"measured_at": "yesterday"}, "Enter a valid date/time."),
        ({"note": "x" * 501}, "at most 500 characters"),
    ],
)
def test_bad_measurements_are_refused_at_the_field(
    client: Client, engineer, latency, data, field_message
):
    client.force_login(engineer)
    data = {k: when(v) if isinstance(v, timedelta) else v for k, v in data.items()}  # at run time
    payload = {"value": "200", "measured_at": when(), "note": "", **data}
    response = client.post(url(latency), payload)
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not KpiMeasurement.objects.filter(target=latency).exists()


def test_percent_kpi_is_capped_at_100(client: Client, engineer, plan):
    coverage = plan.kpi_targets.get(kpi_id="iac_share")
    client.force_login(engineer)
    response = client.post(url(coverage), {"value": "101", "measured_at": when()})
    assert response.status_code == 400
    assert "Enter a value between 0 and 100." in response.content.decode()


def test_measurement_older_than_the_plan_is_refused(client: Client, engineer, latency):
    client.force_login(engineer)
    response = client.post(url(latency), {"value": "200", "measured_at": when(-timedelta(days=60))})
    assert response.status_code == 400
    assert "A measurement cannot be older than the plan." in response.content.decode()


def test_finished_plan_takes_no_measurement(client: Client, engineer, latency):
    Plan.objects.filter(pk=latency.plan_id).update(status=PlanStatus.FINISHED)
    client.force_login(engineer)
    response = client.post(url(latency), {"value": "200", "measured_at": when()})
    assert response.status_code == 400
    assert "can no longer change" in response.content.decode()
    assert not KpiMeasurement.objects.exists()


def test_outsider_cannot_see_or_record(client: Client, outsider, latency):
    client.force_login(outsider)
    assert client.get(url(latency)).status_code == 404
    assert client.post(url(latency), {"value": "200", "measured_at": when()}).status_code == 404
    assert not KpiMeasurement.objects.exists()


def test_the_prefilled_time_in_the_hour_the_clocks_repeat_is_taken(
    client: Client, engineer, team, lead
):
    # 02:30 comes twice in Zurich on 2027-10-31; this is the second time (+01:00).
    with time_machine.travel(datetime(2027, 10, 31, 1, 30, 20, tzinfo=UTC), tick=False):
        latency = running_plan(team, lead, day=10).kpi_targets.get(kpi_id="avg_latency")
        client.force_login(engineer)
        page = client.get(url(latency)).content.decode()
        prefilled = re.search(r'name="measured_at" value="([^"]+)"', page)
        assert prefilled is not None
        assert prefilled.group(1) == "2027-10-31T02:30"
        response = client.post(url(latency), {"value": "200", "measured_at": prefilled.group(1)})
    assert response.status_code == 302
    # Of the two 02:30s the earlier is taken: never in the future of the one who typed it.
    stored = KpiMeasurement.objects.get(target=latency)
    assert stored.measured_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_a_time_the_clocks_skip_is_refused_at_the_field(client: Client, engineer, team, lead):
    with time_machine.travel(datetime(2027, 3, 28, 12, 0, tzinfo=UTC), tick=False):
        latency = running_plan(team, lead, day=10).kpi_targets.get(kpi_id="avg_latency")
        client.force_login(engineer)
        # No 02:30 in Zurich on 2027-03-28: the clocks go from 02:00 to 03:00.
        response = client.post(url(latency), {"value": "200", "measured_at": "2027-03-28T02:30"})
    assert response.status_code == 400
    assert (
        "There is no 02:30 on Sun 28 Mar 2027 in Europe/Zurich: the clocks skip that hour."
        in response.content.decode()
    )
    assert not KpiMeasurement.objects.exists()


def test_a_trend_line_needs_two_measurements(plan: Plan, latency: KpiTarget, engineer):
    from planner.progress.selectors import kpi_cards

    started = plan.started_at
    assert started is not None

    def card() -> object:
        return next(c for c in kpi_cards(plan) if c.target.pk == latency.pk)

    KpiMeasurement.objects.create(
        target=latency, value=200, measured_at=started, recorded_by=engineer
    )
    assert card().spark is None  # type: ignore[attr-defined]  # one point: no trend to draw
    KpiMeasurement.objects.create(
        target=latency,
        value=180,
        measured_at=started + timedelta(hours=1),
        recorded_by=engineer,
    )
    assert card().spark is not None  # type: ignore[attr-defined]
