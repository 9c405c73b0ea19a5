"""Metrics add up across gunicorn's workers, and a real Prometheus reads them back.

gunicorn runs two workers in multiprocess mode (PROMETHEUS_MULTIPROC_DIR), production
settings, on the test database; Debian's Prometheus scrapes it every second with the
bearer key. Requests spread over both workers must be counted once each, whichever
worker answers the scrape.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.faults import free_port
from tests.progress.plans import running_plan
from tests.servers import REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
KEY = "integration-metrics-key-" + "k" * 20
REQUESTS = 60

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:  # not listening yet
        return 0, b""


def _wait(check, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def gunicorn(transactional_db, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    database = connection.settings_dict
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "integration-only-" + "s" * 50,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
        "CACHE_URL": "dummy://",
        "CELERY_BROKER_URL": REDIS_URL,
        "METRICS_TOKEN": KEY,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "planner.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _get(f"{base}/healthz")[0] == 200 or process.poll() is not None, "gunicorn")
        assert process.poll() is None, process.communicate()[0]
        yield base, metrics_dir
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        if process.returncode not in (0, -15):
            print(output)


@pytest.fixture
def prometheus(gunicorn: tuple[str, Path], tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("prometheus")
    assert binary, "prometheus is missing: `make test` installs Debian's prometheus package"
    base, _ = gunicorn
    key_file = tmp_path / "metrics-token"
    key_file.write_text(KEY)
    config = tmp_path / "prometheus.yml"
    config.write_text(
        json.dumps(  # JSON is YAML
            {
                "global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
                "scrape_configs": [
                    {
                        "job_name": "planner-web",
                        "authorization": {"type": "Bearer", "credentials_file": str(key_file)},
                        "static_configs": [{"targets": [urllib.parse.urlsplit(base).netloc]}],
                    }
                ],
            }
        )
    )
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: process.poll() is None and _get(f"{url}/-/ready")[0] == 200, "prometheus")
        yield url
    finally:
        process.terminate()
        process.communicate(timeout=30)


def query(prometheus: str, expression: str) -> list[dict[str, Any]]:
    status, body = _get(
        f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": expression})
    )
    assert status == 200, body
    result: list[dict[str, Any]] = json.loads(body)["data"]["result"]
    return result


def test_two_workers_count_every_request_once_and_prometheus_reads_it(
    gunicorn, prometheus, team, lead
):
    base, metrics_dir = gunicorn
    running_plan(team, lead, day=3)
    # Without the key: refused, and nothing of ours in the answer.
    status, body = _get(f"{base}/metrics")
    assert status == 401
    assert b"planner_" not in body
    # Concurrent requests, so that both workers take some.
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: _get(f"{base}/api/v1/teams")[0], range(REQUESTS)))
    assert set(answers) == {401}
    pids = {path.stem.rsplit("_", 1)[-1] for path in metrics_dir.glob("counter_*.db")}
    assert len(pids) >= 2, f"one worker answered everything: {pids}"

    expression = (
        'sum(django_http_responses_total_by_status_view_method_total{status="401",method="GET"})'
    )

    def counted() -> bool:
        result = query(prometheus, expression)
        return bool(result) and float(result[0]["value"][1]) == REQUESTS

    _wait(counted, f"Prometheus to read {REQUESTS} answers", seconds=30)
    [active] = query(prometheus, 'planner_plans{status="active"}')
    assert float(active["value"][1]) == 1
    [up] = query(prometheus, 'up{job="planner-web"}')
    assert up["value"][1] == "1"
