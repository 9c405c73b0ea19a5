"""`/metrics`: closed to strangers, open to the scraper before host checks and HTTPS
redirects, valid for promtool, and its numbers follow what people do."""

from __future__ import annotations

import shutil
import subprocess
from ipaddress import ip_network
from typing import Any

import pytest
from django.test import Client
from django.urls import path

from planner.plans.models import Activity, PlanTask, TaskStatus
from tests.observability.metrics import Samples, current, scrape, value
from tests.progress.plans import running_plan

pytestmark = pytest.mark.django_db

KEY = "metrics-key-" + "x" * 30


@pytest.fixture
def locked(settings):
    """Production's rules: HTTPS only, one host name, a key, no open network."""
    settings.METRICS_TOKEN = KEY
    settings.METRICS_ALLOWED_NETWORKS = []
    settings.ALLOWED_HOSTS = ["planner.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    return settings


def scraped(client: Client, **headers: Any) -> Samples:
    response = client.get("/metrics", HTTP_HOST="web:8000", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert response["Cache-Control"] == "no-store"
    return scrape(response.content.decode())


def test_the_key_opens_metrics_over_plain_http_under_any_host_name(client: Client, locked):
    samples = scraped(client, HTTP_AUTHORIZATION=f"Bearer {KEY}")
    assert value(samples, "planner_database_up") == 1


def test_a_wrong_or_missing_key_gets_401_and_no_metrics(client: Client, locked):
    for authorization in ("", "Bearer wrong"):
        response = client.get("/metrics", HTTP_HOST="web:8000", HTTP_AUTHORIZATION=authorization)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
        assert b"planner_" not in response.content


def test_without_a_key_or_network_there_are_no_metrics(client: Client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 404
    assert b"planner_" not in response.content


def test_an_allowed_network_needs_no_key(client: Client, locked):
    locked.METRICS_ALLOWED_NETWORKS = [ip_network("10.42.0.0/16")]
    assert value(scraped(client, REMOTE_ADDR="10.42.0.7"), "planner_database_up") == 1
    assert client.get("/metrics", HTTP_HOST="web:8000", REMOTE_ADDR="10.43.0.7").status_code == 401


def test_only_reading_is_allowed(client: Client, locked):
    response = client.post("/metrics", HTTP_HOST="web:8000", HTTP_AUTHORIZATION=f"Bearer {KEY}")
    assert response.status_code == 405


def test_openmetrics_is_answered_when_asked_for(client: Client, locked):
    response = client.get(
        "/metrics",
        HTTP_HOST="web:8000",
        HTTP_AUTHORIZATION=f"Bearer {KEY}",
        HTTP_ACCEPT="application/openmetrics-text; version=1.0.0",
    )
    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.rstrip().endswith(b"# EOF")


def test_promtool_finds_nothing_to_fix(client: Client, locked, team, lead):
    running_plan(team, lead, day=3)
    client.get("/accounts/login/", HTTP_HOST="planner.example.com", secure=True)
    response = client.get("/metrics", HTTP_HOST="web:8000", HTTP_AUTHORIZATION=f"Bearer {KEY}")
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: `make test` installs Debian's prometheus package"
    check = subprocess.run(
        [promtool, "check", "metrics"], input=response.content, capture_output=True, timeout=30
    )
    assert check.returncode == 0, check.stdout + check.stderr
    text = response.content.decode()
    assert "django_http_responses_total_by_status_view_method_total{" in text
    assert "django_db_query_duration_seconds_bucket{" in text


def test_state_gauges_count_plans_and_the_tasks_of_running_plans(
    client: Client, locked, team, lead
):
    plan = running_plan(team, lead, day=3)
    tasks = plan.tasks.count()
    PlanTask.objects.filter(pk__in=plan.tasks.values("pk")[:2]).update(status=TaskStatus.DONE)
    samples = scraped(client, HTTP_AUTHORIZATION=f"Bearer {KEY}")
    assert value(samples, "planner_plans", status="active") == 1
    assert value(samples, "planner_plans", status="draft") == 0
    assert value(samples, "planner_plan_tasks", status="done") == 2
    assert value(samples, "planner_plan_tasks", status="open") == tasks - 2
    assert value(samples, "planner_deliveries_waiting", ledger="reminder", state="pending") == 0


def test_a_tick_moves_the_counters_and_a_refused_one_does_not(
    client: Client, locked, team, lead, engineer, outsider, django_capture_on_commit_callbacks
):
    plan = running_plan(team, lead, day=3)
    task = plan.tasks.order_by("pk")[0]
    url = f"/teams/{team.slug}/plans/{plan.pk}/tasks/{task.pk}/"
    before = current()
    # An outsider's tick is refused: nothing stored, nothing counted.
    client.force_login(outsider)
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(url, {"action": "done"}, HTTP_HOST="planner.example.com", secure=True)
    assert refused.status_code == 404
    assert not Activity.objects.filter(task=task).exists()
    done = "planner_plan_activities_total"
    assert value(current(), done, kind="done") == value(before, done, kind="done")
    client.force_login(engineer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "done", "next": "/"}, HTTP_HOST="planner.example.com", secure=True
        )
    assert response.status_code == 302
    assert Activity.objects.filter(task=task, kind="done").count() == 1
    after = current()
    assert value(after, done, kind="done") == value(before, done, kind="done") + 1
    responses = "django_http_responses_total_by_status_view_method_total"
    labels = {"view": "task_detail", "method": "POST"}
    assert (
        value(after, responses, status="302", **labels)
        == value(before, responses, status="302", **labels) + 1
    )
    assert (
        value(after, responses, status="404", **labels)
        == value(before, responses, status="404", **labels) + 1
    )
    samples = scraped(client, HTTP_AUTHORIZATION=f"Bearer {KEY}")
    assert value(samples, "planner_plan_tasks", status="done") == 1


def explode(request):
    raise RuntimeError("boom")


urlpatterns = [path("explode/", explode, name="explode")]


def test_a_failing_view_is_counted_as_an_exception_and_a_500(client: Client, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    before = current()
    assert client.get("/explode/").status_code == 500
    after = current()
    exceptions = "django_http_exceptions_total_by_type_total"
    assert value(after, exceptions, type="RuntimeError") == 1 + value(
        before, exceptions, type="RuntimeError"
    )
    responses = "django_http_responses_total_by_status_view_method_total"
    labels = {"status": "500", "view": "explode", "method": "GET"}
    assert value(after, responses, **labels) == 1 + value(before, responses, **labels)
    latency = "django_http_requests_latency_seconds_by_view_method_count"
    assert value(after, latency, view="explode", method="GET") == 1 + value(
        before, latency, view="explode", method="GET"
    )
