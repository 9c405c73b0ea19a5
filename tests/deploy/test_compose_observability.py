"""The compose profile `observability` adds Prometheus and Grafana and leaves the default
stack as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.deploy.tools import COMPOSE_REQUIRED, PROMETHEUS, ROOT, compose_config

DEFAULT_SERVICES = {"migrate", "web", "worker", "beat", "postgres", "redis", "mailpit"}
TOKEN = "m" * 40


def _services(*profiles: str, **env: str) -> Any:
    result = compose_config({**COMPOSE_REQUIRED, **env}, *profiles)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


def test_profile_is_valid_with_its_settings():
    services = _services("observability", METRICS_TOKEN=TOKEN, GRAFANA_ADMIN_PASSWORD="pw")
    assert {"prometheus", "grafana"} <= set(services)
    assert services["prometheus"]["environment"]["METRICS_TOKEN"] == TOKEN
    assert services["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"] == "pw"


def test_default_stack_needs_none_of_the_profile_settings():
    services = _services()
    assert {name for name, service in services.items() if "profiles" not in service} == (
        DEFAULT_SERVICES
    )
    assert services["prometheus"]["profiles"] == ["observability"]
    assert services["grafana"]["profiles"] == ["observability"]
    for name in DEFAULT_SERVICES:
        assert not {"prometheus", "grafana"} & set(services[name].get("depends_on", {})), name


def test_validator_rejects_a_broken_profile_service(tmp_path: Path):
    broken = (
        (ROOT / "docker-compose.yml")
        .read_text()
        .replace('profiles: ["observability"]', 'profiles: "observability"', 1)
    )
    (tmp_path / "docker-compose.yml").write_text(broken)
    result = compose_config(COMPOSE_REQUIRED, path=tmp_path / "docker-compose.yml")
    assert result.returncode != 0


def test_web_and_worker_get_the_token_and_the_worker_serves_metrics_on_9808():
    services = _services(METRICS_TOKEN=TOKEN)
    assert services["web"]["environment"]["METRICS_TOKEN"] == TOKEN
    worker = services["worker"]["environment"]
    assert worker["METRICS_TOKEN"] == TOKEN
    assert worker["METRICS_WORKER_PORT"] == "9808"
    assert worker["METRICS_WORKER_HOST"] == "0.0.0.0"  # noqa: S104 - inside its container
    assert "ports" not in services["worker"]  # scraped over the compose network only
    # The rest of the worker's settings still come from the shared block.
    assert worker["CELERY_BROKER_URL"] == services["web"]["environment"]["CELERY_BROKER_URL"]


def test_dashboards_listen_on_loopback_unless_told_otherwise():
    services = _services("observability")
    assert services["prometheus"]["ports"][0].startswith("127.0.0.1:9090:9090")
    assert services["grafana"]["ports"][0].startswith("127.0.0.1:3000:3000")


def test_prometheus_is_built_from_debian_with_its_config_mounted():
    prometheus = _services("observability")["prometheus"]
    assert Path(prometheus["build"]["context"]) == PROMETHEUS
    assert f"{PROMETHEUS}:/etc/planner/prometheus:ro" in prometheus["volumes"]
    dockerfile = (PROMETHEUS / "Dockerfile").read_text()
    assert "FROM debian:bookworm-slim" in dockerfile
    assert "apt-get install -y --no-install-recommends prometheus" in dockerfile
    assert "--config.file=/etc/planner/prometheus/prometheus.yml" in dockerfile


def test_grafana_image_is_pinned_and_refuses_an_empty_password():
    grafana = _services("observability")["grafana"]
    image, _, tag = grafana["image"].partition(":")
    assert image == "grafana/grafana"
    assert tag[:1].isdigit(), "pin a Grafana version"
    assert grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD"] == ""
    assert 'if [ -z "$$GF_SECURITY_ADMIN_PASSWORD" ]' in grafana["entrypoint"][-1]
    assert grafana["depends_on"] == {"prometheus": {"condition": "service_healthy"}}
