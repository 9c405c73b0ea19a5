"""docker-compose.yml is valid for Compose and wires services with health conditions."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = {"SECRET_KEY": "x" * 60, "POSTGRES_PASSWORD": "pw"}


def _config(path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is missing: `make test` installs Debian's docker-compose")
    clean = {k: v for k, v in os.environ.items() if k not in REQUIRED}
    return subprocess.run(
        [binary, "-f", str(path), "config"],
        cwd=path.parent,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_compose_file_is_valid():
    result = _config(ROOT / "docker-compose.yml", REQUIRED)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    assert {"web", "worker", "beat", "redis", "postgres", "mailpit"} <= set(config["services"])


def test_compose_requires_secret_key():
    result = _config(ROOT / "docker-compose.yml", {"POSTGRES_PASSWORD": "pw"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_validator_rejects_a_broken_file(tmp_path: Path):
    broken = (ROOT / "docker-compose.yml").read_text().replace("healthcheck:", "healthchek:", 1)
    (tmp_path / "docker-compose.yml").write_text(broken)
    result = _config(tmp_path / "docker-compose.yml", REQUIRED)
    assert result.returncode != 0


def test_every_dependency_waits_on_a_health_or_completion_condition():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            condition = rule["condition"]
            assert condition in {"service_healthy", "service_completed_successfully"}, name
            if condition == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck"
    assert "volumes" in services["postgres"]


def test_web_runs_gunicorn_from_the_dockerfile():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert "command" not in services["web"]  # the image's CMD
    cmd = next(
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD")
    )
    assert '"gunicorn", "planner.wsgi"' in cmd
