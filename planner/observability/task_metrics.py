"""Celery's side: task outcomes and durations, and the worker's own metrics port.

Signal handlers count every task a worker runs. A worker started with METRICS_WORKER_PORT
serves its pool's metrics there (the same access rules as `/metrics`); the database and
broker gauges come from web's `/metrics`, not from here.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from celery import signals
from django.conf import settings
from prometheus_client import multiprocess

from planner.core.metrics import CELERY_TASK_DURATION, CELERY_TASKS
from planner.observability import access, exposition

logger = logging.getLogger(__name__)

OUTCOMES = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retried"}

_started: dict[str, float] = {}


def task_started(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _started[task_id] = time.perf_counter()


def task_ended(
    task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any
) -> None:
    name = getattr(task, "name", None) or "unknown"
    outcome = OUTCOMES.get(state or "", (state or "unknown").lower())
    CELERY_TASKS.labels(name, outcome).inc()
    started = _started.pop(task_id or "", None)
    if started is not None:
        CELERY_TASK_DURATION.labels(name).observe(time.perf_counter() - started)


def worker_started(**_: Any) -> None:
    port = settings.METRICS_WORKER_PORT
    if not port:
        return
    folder = exposition.multiprocess_dir()
    if folder:
        # The worker's own folder (README, "Metrics and monitoring"): what a previous run
        # left there is stale.
        for stale in Path(folder).glob("*.db"):
            stale.unlink(missing_ok=True)
    server = serve(settings.METRICS_WORKER_HOST, port)
    logger.info("Worker metrics on %s:%s", settings.METRICS_WORKER_HOST, server.server_port)


def pool_process_ended(pid: int | None = None, **_: Any) -> None:
    if exposition.multiprocess_dir():
        multiprocess.mark_process_dead(pid or os.getpid())  # type: ignore[no-untyped-call]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes every 15 s are not worth a log line each."""


def metrics_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The worker's metrics, to a scraper that may read them; 404 to anyone else."""
    if environ.get("PATH_INFO") != "/metrics" or not access.allowed(
        environ.get("REMOTE_ADDR", ""),
        environ.get("HTTP_AUTHORIZATION", ""),
        token=settings.METRICS_TOKEN,
        networks=settings.METRICS_ALLOWED_NETWORKS,
    ):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not Found\n"]
    body, content_type = exposition.render(
        exposition.registry(state=False), environ.get("HTTP_ACCEPT", "")
    )
    start_response("200 OK", [("Content-Type", content_type), ("Cache-Control", "no-store")])
    return [body]


def serve(host: str, port: int) -> WSGIServer:
    """Serve `metrics_app` on a daemon thread; the server (its port, if 0 was asked)."""
    server = make_server(host, port, metrics_app, _ThreadingServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server


def connect() -> None:
    signals.task_prerun.connect(task_started, weak=False, dispatch_uid="metrics-task-started")
    signals.task_postrun.connect(task_ended, weak=False, dispatch_uid="metrics-task-ended")
    signals.worker_init.connect(worker_started, weak=False, dispatch_uid="metrics-worker")
    signals.worker_process_shutdown.connect(
        pool_process_ended, weak=False, dispatch_uid="metrics-pool-process"
    )
