"""The recipes in docs/recipes/ run as written against a live server: the GitHub Actions
and GitLab CI scripts tick a task off, the Prometheus recipe records a KPI measurement
from a real Prometheus server. A recipe that stops working fails here."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
import yaml

from planner.api.models import Scope
from planner.api.services import api_token_create
from planner.plans.models import Activity, PlanTask, TaskStatus
from planner.progress.models import KpiMeasurement
from tests.faults import free_port
from tests.progress.plans import running_plan

RECIPES = Path(__file__).resolve().parents[2] / "docs" / "recipes"
TASK = "infra_terraform_foundation"

pytestmark = pytest.mark.django_db(transaction=True)


def _blocks(name: str, language: str) -> list[str]:
    text = (RECIPES / name).read_text()
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def _run(script: str, env: dict[str, str], shell: str = "bash") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [shell, "-e", "-c", script],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _token(team: Any, lead: Any, now: datetime) -> str:
    return api_token_create(
        team=team,
        user=lead,
        name="CI",
        scope=Scope.WRITE,
        expires_at=now + timedelta(days=30),
        now=now,
    ).secret


def _github_step() -> dict[str, Any]:
    [workflow] = _blocks("tick-a-task-from-ci.md", "yaml")[:1]
    steps = yaml.safe_load(workflow)["jobs"]["apply"]["steps"]
    return next(step for step in steps if "Planner" in step.get("name", ""))


def _gitlab_job() -> dict[str, Any]:
    pipeline = _blocks("tick-a-task-from-ci.md", "yaml")[1]
    job: dict[str, Any] = yaml.safe_load(pipeline)["tick-planner-task"]
    return job


@pytest.fixture
def ci_plan(team: Any, lead: Any, engineer: Any) -> Any:
    with time_machine.travel(datetime(2027, 2, 1, 9, 0, tzinfo=UTC), tick=True):
        plan = running_plan(team, lead, day=10)
        # The task shared by two people: two parts, one each.
        PlanTask.objects.filter(plan=plan, catalogue_id=TASK).delete()
        first = plan.tasks.order_by("pk").first()
        assert first is not None
        for part, person in ((1, lead), (2, engineer)):
            PlanTask.objects.create(
                plan=plan, catalogue_id=TASK, area="infrastructure", phase=2, start_day=8,
                day=12, part=part, parts=2, assignee=person, effort_hours=4,
                title={"en": "Set up the Terraform foundation", "de": "Terraform-Grundlage"},
                note="Started with the VPC" if part == 1 else "",
            )  # fmt: skip
        yield plan, _token(team, lead, datetime(2027, 2, 1, 9, 0, tzinfo=UTC))


def _parts(plan: Any) -> list[tuple[str, str, str]]:
    return list(
        PlanTask.objects.filter(plan=plan, catalogue_id=TASK)
        .order_by("part")
        .values_list("status", "evidence_url", "note")
    )


def test_the_github_actions_step_ticks_every_part_and_links_the_run(live_server, ci_plan):
    plan, token = ci_plan
    step = _github_step()
    run_url = "https://github.com/acme/infra/actions/runs/42"
    env = {**step["env"], "PLANNER_URL": live_server.url, "PLANNER_TOKEN": token,
           "EVIDENCE": run_url}  # fmt: skip
    assert step["env"]["PLANNER_TASK"] == TASK
    with time_machine.travel(datetime(2027, 2, 10, 9, 0, tzinfo=UTC), tick=True):
        done = _run(step["run"], env)
        assert done.returncode == 0, done.stderr + done.stdout
        assert done.stdout.count("Ticked off task") == 2
        assert _parts(plan) == [
            (TaskStatus.DONE, run_url, "Started with the VPC"),
            (TaskStatus.DONE, run_url, ""),
        ]
        feed = Activity.objects.filter(plan=plan, kind="done")
        assert [entry.detail for entry in feed] == [{"via": "CI"}, {"via": "CI"}]
        again = _run(step["run"], env)  # nothing open is left: nothing changes
    assert again.returncode == 0
    assert "Ticked off" not in again.stdout
    assert Activity.objects.filter(plan=plan, kind="done").count() == 2


def test_the_gitlab_job_ticks_the_task_and_a_refusal_fails_the_job(live_server, ci_plan):
    plan, token = ci_plan
    job = _gitlab_job()
    env = {**job["variables"], "PLANNER_URL": live_server.url, "PLANNER_TOKEN": token,
           "CI_JOB_URL": "https://gitlab.example.com/acme/infra/-/jobs/7"}  # fmt: skip
    with time_machine.travel(datetime(2027, 2, 10, 9, 0, tzinfo=UTC), tick=True):
        wrong = _run("\n".join(job["script"]), {**env, "PLANNER_TOKEN": "plnr_wrong"}, "sh")
        assert wrong.returncode != 0
        assert "Planner: " in wrong.stderr
        assert "This token is not known" in wrong.stderr
        assert {status for status, _, _ in _parts(plan)} == {TaskStatus.OPEN}
        done = _run("\n".join(job["script"]), env, "sh")
    assert done.returncode == 0, done.stderr + done.stdout
    assert {(s, e) for s, e, _ in _parts(plan)} == {
        (TaskStatus.DONE, "https://gitlab.example.com/acme/infra/-/jobs/7")
    }


class PrometheusServer:
    """Debian's Prometheus on a free loopback port, scraping nothing."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="planner-prometheus-")
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> PrometheusServer:
        config = Path(self.folder) / "prometheus.yml"
        config.write_text("global:\n  scrape_interval: 1h\n")
        self._process = subprocess.Popen(
            [
                "prometheus",
                f"--config.file={config}",
                f"--storage.tsdb.path={self.folder}/data",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1):  # noqa: S310
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("Prometheus did not start")

    def query(self, promql: str) -> Any:
        url = f"{self.url}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310
            return json.load(answer)

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def prometheus() -> Iterator[PrometheusServer]:
    if shutil.which("prometheus") is None and not os.environ.get("CI"):
        pytest.skip("needs Debian's prometheus")
    with PrometheusServer() as server:
        yield server


def test_the_prometheus_recipe_records_the_query_result_once_a_day(
    live_server, prometheus, team, lead
):
    # Prometheus stamps its answer with its own clock: the plan runs at that moment.
    stamp = float(prometheus.query("time()")["data"]["result"][0])
    now = datetime.fromtimestamp(stamp, UTC)
    with time_machine.travel(now, tick=True):
        plan = running_plan(team, lead, day=5)
        token = _token(team, lead, now)
    [script] = _blocks("push-a-kpi-from-prometheus.md", "sh")
    # The recipe's query needs the team's histograms; this Prometheus has none, so a
    # constant stands in for the query (the rest of the script runs as written).
    script = re.sub(r"^QUERY=.*$", "QUERY='vector(231.5)'", script, flags=re.MULTILINE)
    env = {"PROMETHEUS_URL": prometheus.url, "PLANNER_URL": live_server.url,
           "PLANNER_TOKEN": token, "PLANNER_TEAM": team.slug}  # fmt: skip
    with time_machine.travel(now + timedelta(seconds=5), tick=True):
        first = _run(script, env)
        assert first.returncode == 0, first.stderr + first.stdout
        assert json.loads(first.stdout)["created"] is True
        second = _run(script, env)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["created"] is False
    [measurement] = KpiMeasurement.objects.filter(target__plan=plan)
    assert (measurement.target.kpi_id, measurement.value) == ("p95_latency", 231.5)
    # Evaluated at the day's midnight (UTC), so that a second run sends the same time.
    assert measurement.measured_at == now.replace(hour=0, minute=0, second=0, microsecond=0)
    assert measurement.note == "from Prometheus"


def test_the_prometheus_recipe_records_nothing_when_the_query_is_empty(
    live_server, prometheus, team, lead
):
    stamp = float(prometheus.query("time()")["data"]["result"][0])
    now = datetime.fromtimestamp(stamp, UTC)
    with time_machine.travel(now, tick=True):
        running_plan(team, lead, day=5)
        token = _token(team, lead, now)
    [script] = _blocks("push-a-kpi-from-prometheus.md", "sh")
    script = re.sub(r"^QUERY=.*$", "QUERY='absent_metric_nobody_has'", script, flags=re.M)
    env = {"PROMETHEUS_URL": prometheus.url, "PLANNER_URL": live_server.url,
           "PLANNER_TOKEN": token, "PLANNER_TEAM": team.slug}  # fmt: skip
    with time_machine.travel(now, tick=True):
        empty = _run(script, env)
    assert empty.returncode != 0
    assert not KpiMeasurement.objects.exists()
