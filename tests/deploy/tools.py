"""Paths of the deployment files and the validators the tests run on them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PROMETHEUS = DEPLOY / "observability" / "prometheus"
GRAFANA = DEPLOY / "observability" / "grafana"
KUBERNETES = DEPLOY / "kubernetes"


def run_tool(
    name: str, *args: str | Path, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a validator from Debian's packages; a missing one fails (make system-deps)."""
    binary = shutil.which(name)
    if binary is None:
        pytest.fail(f"{name} is missing: `make system-deps` installs it from Debian")
    return subprocess.run(
        [binary, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


COMPOSE_REQUIRED = {"SECRET_KEY": "x" * 60, "POSTGRES_PASSWORD": "pw"}
# What the observability profile reads from .env; cleared so a developer's shell or .env
# cannot make a test pass.
COMPOSE_OPTIONAL = ("METRICS_TOKEN", "GRAFANA_ADMIN_PASSWORD", "OBSERVABILITY_BIND")


def compose_config(
    env: dict[str, str], *profiles: str, path: Path = ROOT / "docker-compose.yml"
) -> subprocess.CompletedProcess[str]:
    """`docker-compose config`: the file as Compose reads it, or why it cannot."""
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is missing: `make system-deps` installs Debian's")
    drop = {*COMPOSE_REQUIRED, *COMPOSE_OPTIONAL}
    clean = {key: value for key, value in os.environ.items() if key not in drop}
    options = [part for profile in profiles for part in ("--profile", profile)]
    return subprocess.run(
        [binary, "-f", str(path), *options, "config"],
        cwd=path.parent,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
