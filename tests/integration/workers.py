"""Celery workers of `planner` in processes of their own, for the integration tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from celery import Celery

ROOT = Path(__file__).resolve().parents[2]


def start_worker(env: dict[str, str], log: Path, *options: str) -> subprocess.Popen[bytes]:
    """A worker with `env` over this process's environment, writing its output to `log`.
    No gossip, mingle or heartbeat: a test's worker has no other worker to talk to.
    `options` add to the command line (`--pool=solo`, `--queues=...`, `--hostname=...`)."""
    command = [sys.executable, "-m", "celery", "-A", "planner", "worker"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", *options]
    with log.open("wb") as output:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def stop_worker(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """A warm shutdown (SIGTERM), or SIGKILL after `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def sending_app(broker: str) -> Celery:
    """An app that only sends tasks to `broker`, as the web process does. Not made the
    current app (Celery's default for a new one): the planner's shared tasks publish
    through the current app, so every later test in the process would queue its tasks on
    this broker (the reminder delivery tests timed out on it)."""
    return Celery("planner-test-client", broker=broker, set_as_current=False)
