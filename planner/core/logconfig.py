"""The logging configuration (`settings.LOGGING`), built from LOG_FORMAT and LOG_LEVEL.

JSON a line in production: `timestamp` (ISO 8601, UTC), `level`, `logger`, `message`,
`request_id`, `exception` when there is one, and any `extra` fields of the call; readable
lines in development. Every line carries the request id (planner/core/logs.py), and paths
that hold a secret are redacted.
"""

from __future__ import annotations

from typing import IO, Any, Literal

from pythonjsonlogger.core import RESERVED_ATTRS

JSON_FORMATTER: dict[str, Any] = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
    "rename_fields": {"levelname": "level", "name": "logger", "exc_info": "exception"},
    "timestamp": True,
    # Django's request logs attach the request object: its repr holds the path, which can
    # hold a secret (the message has the path redacted).
    "reserved_attrs": [*RESERVED_ATTRS, "request"],
}
TEXT_FORMATTER: dict[str, Any] = {
    "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
}


def logging_config(
    *, log_format: Literal["json", "text"], level: str, stream: IO[str] | None = None
) -> dict[str, Any]:
    """A `dictConfig` for the web, the worker and beat; `stream` for tests (else stderr)."""
    handler: dict[str, Any] = {
        "class": "logging.StreamHandler",
        "formatter": log_format,
        "filters": ["request_id", "redact_paths"],
    }
    if stream is not None:
        handler["stream"] = stream
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "planner.core.logs.RequestIdFilter"},
            "redact_paths": {"()": "planner.core.logs.RedactPathFilter"},
        },
        "formatters": {"json": JSON_FORMATTER, "text": TEXT_FORMATTER},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's defaults give these handlers of their own (each line twice in
            # development, in another shape): here they go through the one above.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            # Above DEBUG whatever LOG_LEVEL says. At DEBUG `django.db.backends` logs every
            # SQL statement with its parameters: password hashes, token digests, session
            # keys. `httpx` and `httpcore` log every URL they post to at INFO and DEBUG,
            # and a Slack or Teams webhook URL is itself a secret.
            "django.db.backends": {"level": "WARNING"},
            # At DEBUG `django.template` logs each missing variable with the whole
            # context, which holds what the page or email shows once: a new API token,
            # a password reset link (the no-secrets test caught that one).
            "django.template": {"level": "INFO"},
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }
