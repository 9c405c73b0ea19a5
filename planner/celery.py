"""The Celery app (`celery -A planner`): configured from Django settings (`CELERY_*`)."""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planner.settings")

app = Celery("planner")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def create_broker_folders(sender: Celery, **_: object) -> None:
    """The filesystem broker needs its folders before the first message is written or read."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@setup_logging.connect
def use_django_logging(**_: object) -> None:
    """The worker and beat log as the web does (settings.LOGGING: the format, the request
    id, the level): with a receiver here, Celery leaves the root logger to us."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@app.task(name="planner.ping")
def ping() -> str:
    """A no-op task: proves a worker consumes from the configured broker (health checks, tests)."""
    return "pong"
