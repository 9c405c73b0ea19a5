"""gunicorn's configuration for Planner in production (`gunicorn planner.wsgi` loads it from
the working directory). Knobs come from the environment; Django's settings are not read
here (the master stays light, and a bad setting fails in the workers, naming itself).

- Workers: `WEB_CONCURRENCY`, else 2 x CPUs + 1, at most 8 (each holds a database
  connection per thread, and PostgreSQL's default allows 100).
- Threads per worker: `WEB_THREADS`, default 2. Planner's requests wait on PostgreSQL and
  Redis for much of their time; a second thread keeps a worker busy while one waits, and
  keeps the worker from freezing on one slow client, without the memory of another
  process. More threads mostly queue on the GIL.
- `timeout`/`graceful_timeout` 30 s: a request stuck longer is killed (the reminders and
  webhooks, which can be slow, run in Celery, not here); on SIGTERM or SIGHUP a worker
  finishes the requests it has within 30 s. `max_requests` 1000 with jitter recycles each
  worker now and then, one at a time, so slow leaks never build up.
- Access log: one JSON object a line on stdout, in the shape of the app's logs
  (`LOG_FORMAT=text` for readable lines), with the request id of the response's
  `X-Request-ID`; paths that carry a secret are redacted. Error log on stderr.
- Prometheus in several processes: with `PROMETHEUS_MULTIPROC_DIR` set, the folder is
  emptied at start and a dead worker's files are marked dead.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

_TRUE = {"1", "true", "yes", "on"}


def _workers() -> int:
    configured = os.environ.get("WEB_CONCURRENCY")
    if configured:
        return max(1, int(configured))
    return min(2 * (os.cpu_count() or 1) + 1, 8)


bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = _workers()
threads = max(1, int(os.environ.get("WEB_THREADS", "2")))
worker_class = "gthread"
timeout = 30
graceful_timeout = 30
# Behind a proxy that reuses connections; longer than gunicorn's 2 s so a keep-alive
# connection from the proxy is not closed just as it sends the next request.
keepalive = 5
max_requests = 1000
max_requests_jitter = 100
# Access lines are written by the logging configuration below, to stdout.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Passed to the access logger as a dict of gunicorn's atoms; `AccessFields` picks them.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'

# The same rule as planner/config.py: JSON unless LOG_FORMAT says text, or DEBUG is on.
_debug = os.environ.get("DEBUG", "").strip().lower() in _TRUE
_format = os.environ.get("LOG_FORMAT", "").strip().lower() or ("text" if _debug else "json")

# As planner.core.logs.SECRET_PATH (not imported: that would load the app in the master).
_SECRET_PATH = re.compile(
    r"(?<![^\s])(/(?:[a-z]{2}/)?(?:calendar|reminders/unsubscribe|invitations"
    r"|accounts/password/reset/key|accounts/confirm-email)/)[^?#\s\"]*"
)


class AccessFields(logging.Filter):
    """Turns gunicorn's access atoms into the fields of an access line, with the path's
    secrets redacted and no query string (it can hold a token)."""

    def filter(self, record: logging.LogRecord) -> bool:
        atoms: Any = record.args
        if not isinstance(atoms, dict):
            return True

        def atom(key: str) -> str:
            value = atoms.get(key, "-")
            return value.replace('\\"', '"') if isinstance(value, str) else str(value)

        path = _SECRET_PATH.sub(r"\1[redacted]", atom("U"))
        status = int(atom("s")) if atom("s").isdigit() else atom("s")
        record.method = atom("m")
        record.path = path
        record.status = status
        record.duration_ms = round(int(atoms.get("D", 0)) / 1000, 1)
        record.bytes = int(atom("B")) if atom("B").isdigit() else 0
        record.user_agent = atom("a")
        record.remote_addr = atom("h")
        record.request_id = atoms.get("{x-request-id}o") or "-"
        record.msg = "%s %s %s"
        record.args = (record.method, path, status)
        return True


class NoRequestId(logging.Filter):
    """gunicorn's own lines come from no request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        return True


_json = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
    "rename_fields": {"levelname": "level", "name": "logger", "exc_info": "exception"},
    "timestamp": True,
}
_text = {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}

logconfig_dict: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"access": {"()": AccessFields}, "no_request": {"()": NoRequestId}},
    "formatters": {"structured": _json if _format == "json" else _text},
    "handlers": {
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "structured",
            "filters": ["access"],
            "stream": "ext://sys.stdout",
        },
        "error": {
            "class": "logging.StreamHandler",
            "formatter": "structured",
            "filters": ["no_request"],
            "stream": "ext://sys.stderr",
        },
    },
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
}


def _metrics_dir() -> Path | None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(folder) if folder else None


def on_starting(server: Any) -> None:
    """Metrics files of a previous run would be summed into this one's: start empty."""
    folder = _metrics_dir()
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink(missing_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    """A worker that ended (recycled, killed): its live gauges no longer count."""
    if _metrics_dir() is None:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
