"""A real Celery worker (prefork pool, two processes, multiprocess metrics) counts the
tasks its pool runs and serves them on its metrics port, to the key only."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.faults import free_port
from tests.integration.workers import sending_app, start_worker, stop_worker
from tests.observability.metrics import Samples, scrape, value

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/12"  # this test's own database, emptied after it
KEY = "worker-metrics-key-" + "w" * 20
TASKS = 12


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    redis.Redis.from_url(BROKER).flushdb()
    folder = tmp_path / "metrics"
    port = free_port()
    env = {
        "DEBUG": "true",
        "CELERY_BROKER_URL": BROKER,
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "METRICS_WORKER_PORT": str(port),
        "METRICS_WORKER_HOST": "127.0.0.1",
        "METRICS_TOKEN": KEY,
        "METRICS_ALLOWED_NETWORKS": "",
    }
    log = tmp_path / "worker.log"
    process = start_worker(env, log, "--pool=prefork", "--concurrency=2")
    try:
        yield f"http://127.0.0.1:{port}/metrics", folder
    finally:
        stop_worker(process)
        redis.Redis.from_url(BROKER).flushdb()
        if process.returncode not in (0, -15):
            print(log.read_text())


def _scrape(url: str, key: str | None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - loopback
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:
        return 0, ""  # not listening yet


def test_the_pool_counts_every_task_once_and_the_port_serves_the_sum(worker):
    url, folder = worker
    deadline = time.monotonic() + 60
    while _scrape(url, KEY)[0] != 200:
        assert time.monotonic() < deadline, "the worker's metrics port never answered"
        time.sleep(0.2)
    assert _scrape(url, None)[0] == 404
    assert _scrape(url, "wrong-" + KEY)[0] == 404

    client = sending_app(BROKER)
    try:
        for _ in range(TASKS):
            client.send_task("planner.ping")
    finally:
        client.close()

    labels = {"task": "planner.ping", "outcome": "succeeded"}
    samples: Samples = {}
    while value(samples, "planner_celery_tasks_total", **labels) < TASKS:
        assert time.monotonic() < deadline, (
            f"counted {samples and value(samples, 'planner_celery_tasks_total', **labels)}"
        )
        time.sleep(0.2)
        status, text = _scrape(url, KEY)
        samples = scrape(text) if status == 200 else {}
    assert value(samples, "planner_celery_tasks_total", **labels) == TASKS
    assert (
        value(samples, "planner_celery_task_duration_seconds_count", task="planner.ping") == TASKS
    )
    # Written by the pool's processes, each to its own file, and added up by the scrape.
    assert list(folder.glob("counter_*.db"))
