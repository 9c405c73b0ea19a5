"""A real Celery worker process consumes from the real Redis broker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import Celery

from tests.integration.workers import sending_app
from tests.servers import REDIS_URL

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_broker() -> Iterator[str]:
    """The tests' own Redis database, emptied before and after."""
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def app(redis_broker: str) -> Iterator[Celery]:
    """A client of the broker, as the web process is one."""
    client = sending_app(redis_broker)
    yield client
    client.close()


@pytest.fixture
def worker(redis_broker: str) -> Iterator[subprocess.Popen[str]]:
    env = {**os.environ, "CELERY_BROKER_URL": redis_broker, "DEBUG": "true"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "planner",
            "worker",
            "--pool=solo",
            "--hostname=test-worker@%h",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    process.wait(timeout=20)


def test_worker_answers_over_redis(app: Celery, worker: subprocess.Popen[str]):
    deadline = time.monotonic() + 30
    replies: list[dict[str, Any]] = []
    while not replies and time.monotonic() < deadline:
        assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
        replies = app.control.ping(timeout=1.0) or []
    assert any(name.startswith("test-worker@") for reply in replies for name in reply)


def test_task_sent_by_the_app_is_run_by_the_worker(app: Celery, worker: subprocess.Popen[str]):
    while not app.control.ping(timeout=1.0):
        assert worker.poll() is None
    app.send_task("planner.ping")
    deadline = time.monotonic() + 30
    seen = ""
    assert worker.stdout is not None
    os.set_blocking(worker.stdout.fileno(), False)
    while "succeeded" not in seen and time.monotonic() < deadline:
        seen += worker.stdout.read() or ""
        time.sleep(0.1)
    assert "Task planner.ping" in seen
    assert "succeeded" in seen
