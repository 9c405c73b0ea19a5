"""What every endpoint shares: the error shape, 404 for other teams, body limits, rate
limits, the OpenAPI document and its docs page, and a fixed number of queries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from planner.api.main import THROTTLE
from planner.api.main import api as ninja_api
from planner.plans.models import Activity, PlanTask
from planner.progress.models import KpiMeasurement
from tests.api.conftest import Api
from tests.factories import MembershipFactory, TeamFactory
from tests.progress.plans import add_tasks

pytestmark = pytest.mark.django_db

SAMPLE = {"team": "ml-platform", "plan": "active", "task_id": "1", "kpi": "avg_latency"}


def _operations() -> list[tuple[str, str]]:
    schema = ninja_api.get_openapi_schema()
    return [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if "{team}" in path
    ]


def _fill(path: str, plan_id: int, task_id: int) -> str:
    values = {**SAMPLE, "plan": str(plan_id), "task_id": str(task_id)}
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path).removeprefix("/api/v1")


def _state() -> tuple[Any, ...]:
    return (
        list(PlanTask.objects.order_by("pk").values_list("status", "note")),
        KpiMeasurement.objects.count(),
        Activity.objects.count(),
    )


def test_every_team_endpoint_answers_404_to_outsiders_and_other_teams_tokens(plan, outsider, now):
    other = TeamFactory.create(slug="other")
    other_lead = MembershipFactory.create(team=other, role="lead").user
    from tests.api.conftest import _token

    foreign = Api(_token(other, other_lead, "write", "theirs"))  # type: ignore[arg-type]
    client = Client()
    client.force_login(outsider)
    stranger = Api(None, client)
    task = plan.tasks.order_by("pk").first()
    before = _state()
    operations = _operations()
    assert len(operations) >= 12
    for method, path in operations:
        url = _fill(path, plan.pk, task.pk)
        for who in (stranger, foreign):
            if method == "GET":
                answer = who.get(url)
            else:
                body = {
                    "status": "done",
                    "value": 1,
                    "revision": 0,
                    "answers": {},
                    "measurements": [{"kpi": "avg_latency", "value": 1}],
                }
                answer = getattr(who, method.lower())(url, body)
            assert answer.status_code == 404, (method, url, answer.content)
            assert answer.json()["code"] == "not_found"
    assert _state() == before


def test_an_unknown_api_address_is_404_in_the_error_shape(api):
    answer = api.get("/nothing/here")
    assert answer.status_code == 404
    assert answer.json() == {
        "status": 404,
        "code": "not_found",
        "message": "Not found.",
        "errors": [],
    }


def test_a_body_that_is_not_json_is_400(api, plan):
    answer = api.client.post(
        "/api/v1/teams/ml-platform/plans/active/measurements",
        data="{not json",
        content_type="application/json",
        headers=api.headers,
    )
    assert answer.status_code == 400
    assert answer.json()["message"] == "The body is not valid JSON."


def test_a_huge_body_is_413_and_nothing_is_stored(api, plan, settings):
    before = _state()
    item = {"kpi": "avg_latency", "value": 1, "note": "x" * 400}
    body = {"measurements": [item] * 8000}  # about 3.5 MB
    answer = api.post("/teams/ml-platform/plans/active/measurements", body)
    assert answer.status_code == 413
    assert answer.json()["code"] == "too_large"
    assert _state() == before


def test_more_than_500_measurements_in_a_batch_are_refused(api, plan):
    body = {"measurements": [{"kpi": "avg_latency", "value": 1}] * 501}
    answer = api.post("/teams/ml-platform/plans/active/measurements", body)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "measurements"


def test_each_token_has_its_own_rate_limit(api, reader, plan, monkeypatch):
    monkeypatch.setattr(THROTTLE, "num_requests", 3)
    for _ in range(3):
        assert api.get("/teams").status_code == 200
    refused = api.get("/teams")
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    assert reader.get("/teams").status_code == 200  # another token counts on its own


def test_messages_follow_accept_language(api, plan):
    answer = api.post(
        "/teams/ml-platform/plans/active/kpis/avg_latency/measurements",
        {"value": "schnell"},
        **{"Accept-Language": "de"},
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["message"] == "Geben Sie eine Zahl ein."


def test_the_openapi_document_and_the_docs_page_come_from_our_own_server(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["info"]["title"] == "Planner API"
    assert (
        "BearerAuth" in str(document["components"]["securitySchemes"])
        or document["components"]["securitySchemes"]
    )
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert not re.search(r"(src|href)=\"https?://", html)  # no CDN


def test_listing_tasks_takes_the_same_queries_for_30_or_300_tasks(
    api, plan, lead, engineer, django_assert_num_queries
):
    url = "/teams/ml-platform/plans/active/tasks?page_size=500"
    api.get("/teams")  # the token's last use is written once a minute
    with django_assert_num_queries(5):
        small = api.get(url)
    add_tasks(plan, 300, [lead, engineer])
    with django_assert_num_queries(5):
        large = api.get(url)
    assert len(large.json()["items"]) == len(small.json()["items"]) + 300
