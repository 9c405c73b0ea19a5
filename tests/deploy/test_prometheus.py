"""Prometheus's config and alert rules pass promtool, and each alert is proven by a test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.deploy.promql import EXPORTED, metric_names
from tests.deploy.tools import PROMETHEUS, run_tool

CREDENTIALS = "/run/planner-prometheus/metrics-token"


def _config() -> Any:
    return yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())


def _alerts() -> list[Any]:
    groups = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def _copy_with_credentials(tmp_path: Path, config_text: str) -> Path:
    """The config beside its rules, reading the token from a file that exists here
    (promtool checks that the credentials file is there; the entrypoint writes the real one)."""
    token = tmp_path / "metrics-token"
    token.write_text("t" * 40)
    (tmp_path / "alerts.yml").write_text((PROMETHEUS / "alerts.yml").read_text())
    config = tmp_path / "prometheus.yml"
    config.write_text(config_text.replace(CREDENTIALS, str(token)))
    return config


def test_config_passes_promtool(tmp_path: Path):
    config = _copy_with_credentials(tmp_path, (PROMETHEUS / "prometheus.yml").read_text())
    result = run_tool("promtool", "check", "config", config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 1 rule files found" in result.stdout


def test_promtool_rejects_a_broken_config(tmp_path: Path):
    broken = (PROMETHEUS / "prometheus.yml").read_text().replace("type: A", "type: AAAAA", 1)
    result = run_tool("promtool", "check", "config", _copy_with_credentials(tmp_path, broken))
    assert result.returncode != 0


def test_both_jobs_read_the_token_from_the_file_the_entrypoint_writes():
    jobs = {job["job_name"]: job for job in _config()["scrape_configs"]}
    entrypoint = (PROMETHEUS / "entrypoint.sh").read_text()
    for name, port in (("planner-web", 8000), ("planner-worker", 9808)):
        job = jobs[name]
        assert job["authorization"] == {"type": "Bearer", "credentials_file": CREDENTIALS}
        assert job["metrics_path"] == "/metrics"
        assert job["dns_sd_configs"][0]["port"] == port
    assert f"> {CREDENTIALS}" in entrypoint


def test_entrypoint_refuses_a_missing_or_short_token():
    for token in ("", "short"):
        result = run_tool("env", f"METRICS_TOKEN={token}", "sh", PROMETHEUS / "entrypoint.sh")
        assert result.returncode == 1
        assert "METRICS_TOKEN must be set" in result.stderr


def test_rules_pass_promtool():
    result = run_tool("promtool", "check", "rules", PROMETHEUS / "alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_rejects_broken_rules(tmp_path: Path):
    broken = (PROMETHEUS / "alerts.yml").read_text().replace("> 0.05", "> > 0.05", 1)
    (tmp_path / "alerts.yml").write_text(broken)
    assert run_tool("promtool", "check", "rules", tmp_path / "alerts.yml").returncode != 0


def test_alert_unit_tests_pass():
    result = run_tool("promtool", "test", "rules", "alerts.test.yml", cwd=PROMETHEUS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_alert_unit_tests_fail_when_an_alert_is_weakened(tmp_path: Path):
    # The error-rate alert at 50 % would not fire on the test's 9 %: the tests notice.
    weakened = (PROMETHEUS / "alerts.yml").read_text().replace("> 0.05", "> 0.5", 1)
    (tmp_path / "alerts.yml").write_text(weakened)
    (tmp_path / "alerts.test.yml").write_text((PROMETHEUS / "alerts.test.yml").read_text())
    result = run_tool("promtool", "test", "rules", "alerts.test.yml", cwd=tmp_path)
    assert result.returncode != 0
    assert "PlannerHighErrorRate" in result.stdout + result.stderr


def test_every_alert_waits_has_a_severity_and_says_what_happened():
    alerts = _alerts()
    assert {
        "PlannerReminderDeliveriesFailing",
        "PlannerReminderDispatchLag",
        "PlannerHighErrorRate",
        "PlannerBeatSilent",
        "PlannerTargetDown",
        "PlannerBrokerDown",
        "PlannerQueueBackingUp",
    } <= {rule["alert"] for rule in alerts}
    for rule in alerts:
        assert rule.get("for"), rule["alert"]
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        assert rule["annotations"].keys() >= {"summary", "description"}, rule["alert"]


def test_every_alert_is_shown_to_fire_and_to_stay_quiet():
    tests = yaml.safe_load((PROMETHEUS / "alerts.test.yml").read_text())["tests"]
    checks = [check for test in tests for check in test["alert_rule_test"]]
    for rule in _alerts():
        mine = [check for check in checks if check["alertname"] == rule["alert"]]
        assert any(check["exp_alerts"] for check in mine), f"{rule['alert']} never fires"
        assert any(not check["exp_alerts"] for check in mine), f"{rule['alert']} never quiet"


def test_every_alert_reads_metrics_planner_exports():
    for rule in _alerts():
        names = metric_names(rule["expr"])
        assert names, rule["alert"]
        # `up` is Prometheus's own: 1 when a scrape succeeded.
        assert names <= EXPORTED | {"up"}, f"{rule['alert']}: {sorted(names - EXPORTED)}"
