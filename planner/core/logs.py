"""Request ids in logs: one id per request, carried into the Celery tasks it starts.

The id lives in a context variable. `RequestIdMiddleware` sets it for a request (reusing
a sane `X-Request-ID` from the proxy in front, else a new one) and returns it in the
response header; it is cleared when the response is closed. `before_task_publish` copies
it into the headers of every task published meanwhile, and `task_prerun` sets it in the
worker for the task's run, so the task's log lines, and the tasks it publishes in turn,
carry it too. A task that beat starts has no id to inherit and gets one of its own.
`RequestIdFilter` puts the id on every log record (`request_id`, "-" outside a request or
task).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# The task header it travels in: Celery passes unknown headers through to `task.request`.
TASK_HEADER = "planner_request_id"
# An id from outside is taken only in this shape: it ends up in every log line, so no
# spaces, quotes, control characters or lengths that could forge or flood a line.
SANE = re.compile(r"[A-Za-z0-9._-]{8,64}")
NONE = "-"

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return request_id.get()


def sane_request_id(value: str | None) -> str | None:
    """The incoming id if it looks like one, else None (the caller makes a new one)."""
    return value if value and SANE.fullmatch(value) else None


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record a handler writes (attach it to the handler, so
    records of every logger get it, the libraries' too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or NONE
        return True


class RequestIdMiddleware:
    """Sets the request's id for everything logged while it is handled, and answers with
    it in `X-Request-ID` so a person reporting a problem can quote it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        value = sane_request_id(request.headers.get(HEADER)) or new_request_id()
        # Left set until the response is closed (`request_finished`): Django logs a 4xx or
        # 5xx answer after the last middleware has returned.
        request_id.set(value)
        response = self.get_response(request)
        response[HEADER] = value
        return response


@receiver(request_finished)
def _forget_request_id(**_: Any) -> None:
    request_id.set(None)


# Celery: the signal handlers are connected when this module is imported (CoreConfig.ready),
# in the web process (which publishes) and in the worker (which runs).

_tokens: dict[str, Token[str | None]] = {}


@before_task_publish.connect
def _carry_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    value = request_id.get()
    if value and headers is not None:
        headers[TASK_HEADER] = value


@task_prerun.connect
def _adopt_request_id(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    incoming = sane_request_id(getattr(getattr(task, "request", None), TASK_HEADER, None))
    # Run eagerly (tests, a task called in-process) it keeps the id of the code around it.
    value = incoming or request_id.get() or new_request_id()
    if task_id:
        _tokens[task_id] = request_id.set(value)


@task_postrun.connect
def _drop_request_id(task_id: str | None = None, **_: Any) -> None:
    token = _tokens.pop(task_id, None) if task_id else None
    if token is not None:
        try:
            request_id.reset(token)
        except ValueError:  # set in another context (a thread pool's): nothing to restore
            request_id.set(None)


# Paths that carry a secret in the URL (a calendar feed's, an unsubscribe or invitation
# link's, allauth's password reset and email confirmation keys): the rest of the path is
# left out of log lines (gunicorn's access log, Django's "Not Found" warnings).
SECRET_PATH = re.compile(
    r"(?<![^\s])(/(?:[a-z]{2}/)?(?:calendar|reminders/unsubscribe|invitations"
    r"|accounts/password/reset/key|accounts/confirm-email)/)[^?#\s\"]*"
)


def redact_path(path: str) -> str:
    """The path with any secret in it replaced by `[redacted]`."""
    return SECRET_PATH.sub(r"\1[redacted]", path)


class RedactPathFilter(logging.Filter):
    """Redacts secret paths passed as arguments to a log line (Django's "Not Found: %s",
    the development server's request lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(
            isinstance(arg, str) and SECRET_PATH.search(arg) for arg in record.args
        ):
            record.args = tuple(
                redact_path(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True
