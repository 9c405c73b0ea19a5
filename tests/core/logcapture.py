"""Capture what Planner logs, as production writes it: the JSON lines of settings.LOGGING's
handler, filters included (request id, redacted paths), into a string."""

from __future__ import annotations

import io
import json
import logging.config
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings

from planner.core.logconfig import logging_config


class CapturedLogs:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def of(self, logger: str) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line["logger"].startswith(logger)]


@contextmanager
def captured_logs(level: str = "INFO") -> Iterator[CapturedLogs]:
    """The logging configuration of production (JSON) at `level`, writing to a string;
    the suite's own configuration again afterwards."""
    stream = io.StringIO()
    logging.config.dictConfig(logging_config(log_format="json", level=level, stream=stream))
    try:
        yield CapturedLogs(stream)
    finally:
        logging.config.dictConfig(settings.LOGGING)
