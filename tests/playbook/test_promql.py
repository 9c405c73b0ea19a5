"""Every KPI query in the playbook parses with Prometheus' own checker and can be told
apart by model and version (or by the serving job, for machine metrics)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from planner.playbook.loader import get_playbook

PLAYBOOK = get_playbook()
QUERIES = {kpi.id: kpi.promql for kpi in PLAYBOOK.kpis if kpi.promql}


def test_the_latency_and_utilisation_kpis_have_queries():
    assert {"avg_latency", "p95_latency", "cpu_utilisation", "gpu_utilisation"} <= set(QUERIES)


def test_every_query_parses_with_promtool(tmp_path: Path):
    rules = {
        "groups": [
            {
                "name": "planner_kpis",
                "rules": [{"record": f"planner:{kpi}", "expr": q} for kpi, q in QUERIES.items()],
            }
        ]
    }
    path = tmp_path / "kpis.rules.yml"
    path.write_text(yaml.safe_dump(rules))
    checked = subprocess.run(
        ["promtool", "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(QUERIES)} rules found" in checked.stdout


def test_promtool_refuses_a_broken_query(tmp_path: Path):
    # The check above can fail: an unbalanced query is refused.
    path = tmp_path / "broken.rules.yml"
    path.write_text(
        yaml.safe_dump(
            {"groups": [{"name": "g", "rules": [{"record": "x", "expr": "sum(rate(a[5m])"}]}]}
        )
    )
    checked = subprocess.run(
        ["promtool", "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode != 0


@pytest.mark.parametrize("kpi", ["avg_latency", "p95_latency", "error_rate"])
def test_model_queries_are_summed_and_split_by_model_and_version(kpi: str):
    query = QUERIES[kpi]
    assert "sum by (" in query
    for label in ("model", "version"):
        assert label in query.split("sum by (", 1)[1].split(")", 1)[0]


@pytest.mark.parametrize("kpi", ["cpu_utilisation", "gpu_utilisation"])
def test_machine_queries_cover_the_serving_machines_only(kpi: str):
    assert 'job="model-serving"' in QUERIES[kpi]


def test_gpu_utilisation_uses_the_profiling_metric():
    assert "DCGM_FI_PROF_GR_ENGINE_ACTIVE" in QUERIES["gpu_utilisation"]
    assert "DCGM_FI_DEV_GPU_UTIL" not in QUERIES["gpu_utilisation"]
