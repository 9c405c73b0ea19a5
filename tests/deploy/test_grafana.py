"""The Grafana dashboard asks only for metrics Planner exports, and its JSON and
provisioning hold together."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.promql import EXPORTED, metric_names
from tests.deploy.tools import GRAFANA, run_tool

DASHBOARD = GRAFANA / "dashboards" / "planner.json"


def _dashboard() -> Any:
    return json.loads(DASHBOARD.read_text())


def _panels(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every panel, those inside collapsed rows too."""
    found = []
    for panel in panels:
        found.append(panel)
        found.extend(_panels(panel.get("panels", [])))
    return found


def _exprs() -> list[tuple[str, str]]:
    return [
        (panel["title"], target["expr"])
        for panel in _panels(_dashboard()["panels"])
        for target in panel.get("targets", [])
    ]


def _provisioned_uid() -> str:
    config = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    (source,) = config["datasources"]
    assert source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"
    return str(source["uid"])


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("up", {"up"}),
        (
            "sum by (view) (rate(django_http_responses_total_by_status_view_method_total"
            '{status=~"5..", view!="x"}[$__rate_interval]))',
            {"django_http_responses_total_by_status_view_method_total"},
        ),
        (
            "histogram_quantile(0.95, sum by (le, job) "
            "(rate(django_db_query_duration_seconds_bucket[5m])))",
            {"django_db_query_duration_seconds"},
        ),
        (
            "rate(a_seconds_sum[5m]) / rate(a_seconds_count[5m]) * 1e3 > bool 0.5",
            {"a_seconds"},
        ),
        (
            "max without (instance) (b) and on (job) c "
            "unless ignoring (x) group_left (y) d offset 1h",
            {"b", "c", "d"},
        ),
        ('sum (label_replace(e{a="or"}, "dst", "$1", "src", "(.*)")) or vector(0)', {"e"}),
        ("count(f:recorded:rate5m) - count (g[1h:1m]) + inf", {"f:recorded:rate5m", "g"}),
    ],
)
def test_metric_names_finds_the_metrics_and_nothing_else(expr: str, names: set[str]):
    assert metric_names(expr) == names


def test_every_query_reads_a_metric_planner_exports():
    exprs = _exprs()
    assert len(exprs) > 30
    for title, expr in exprs:
        names = metric_names(expr)
        assert names, f"{title}: no metric in {expr}"
        assert names <= EXPORTED, f"{title}: {sorted(names - EXPORTED)} are not exported"


def test_the_check_catches_a_metric_nobody_exports():
    assert metric_names("rate(planner_reminders_sent_total[5m])") - EXPORTED


def test_every_query_is_valid_promql(tmp_path: Path):
    # promtool parses rule expressions: each query becomes a recording rule.
    rules = [
        {"record": f"dashboard:query{index}", "expr": expr.replace("$__rate_interval", "1m")}
        for index, (_, expr) in enumerate(_exprs())
    ]
    rules.append({"record": "dashboard:broken", "expr": "sum(rate(x[5m])"})
    path = tmp_path / "queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules[:-1]}]}))
    result = run_tool("promtool", "check", "rules", path)
    assert result.returncode == 0, result.stdout + result.stderr
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    assert run_tool("promtool", "check", "rules", path).returncode != 0


def test_every_panel_has_a_unique_id_a_place_and_the_provisioned_data_source():
    uid = _provisioned_uid()
    panels = _panels(_dashboard()["panels"])
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids))
    for panel in panels:
        assert {"h", "w", "x", "y"} <= panel["gridPos"].keys(), panel["title"]
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": uid}, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == uid, panel["title"]
            assert target["refId"], panel["title"]
            assert target["expr"], panel["title"]


def test_panels_do_not_overlap():
    taken: set[tuple[int, int]] = set()
    for panel in _panels(_dashboard()["panels"]):
        box = panel["gridPos"]
        cells = {
            (x, y)
            for x in range(box["x"], box["x"] + box["w"])
            for y in range(box["y"], box["y"] + box["h"])
        }
        assert not cells & taken, panel["title"]
        taken |= cells


def test_dashboard_has_a_row_for_each_area():
    dashboard = _dashboard()
    assert dashboard["uid"] == "planner-overview"
    assert dashboard["schemaVersion"] >= 39
    rows = {panel["title"] for panel in dashboard["panels"] if panel["type"] == "row"}
    assert rows == {
        "Traffic", "Errors", "Latency", "Database", "Cache", "Celery", "Reminders",
        "Webhooks", "Plan progress",
    }  # fmt: skip


def test_provider_loads_the_folder_compose_mounts_the_dashboards_in():
    config = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "planner.yml").read_text())
    (provider,) = config["providers"]
    assert provider["type"] == "file"
    path = provider["options"]["path"]
    compose = yaml.safe_load((GRAFANA.parents[2] / "docker-compose.yml").read_text())
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"./deploy/observability/grafana/dashboards:{path}:ro" in mounts
