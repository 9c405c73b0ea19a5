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
    config = logging_config(log_format="json", level=level, stream=stream)
    # Other tests (and libraries) set levels on loggers or disable them; for the capture
    # every logger the configuration does not name follows the root, as in production.
    loggers = [
        logger
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger) and name not in config["loggers"]
    ]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.NOTSET)
        logger.disabled = False
    logging.config.dictConfig(config)
    try:
        yield CapturedLogs(stream)
    finally:
        logging.config.dictConfig(settings.LOGGING)
        for logger, logger_level, disabled in saved:
            logger.setLevel(logger_level)
            logger.disabled = disabled
