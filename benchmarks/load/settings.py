"""Planner's settings as they are, but for the run's names in the shared Redis.

Concurrent runs (a developer's `make load`, CI's test) share one Redis database and build
the same teams, so their cache keys would be alike: the cache's keys and the Celery queue
that ticks publish to carry the run's id, and the run removes them when it ends (no
worker consumes that queue; publishing to it is the part of a tick that production has).
"""

from __future__ import annotations

import os

from planner.settings import *  # noqa: F403
from planner.settings import CACHES

RUN = os.environ.get("PLANNER_LOAD_RUN", "adhoc")
NAMESPACE = f"planner-load-{RUN}"

CACHES["default"]["KEY_PREFIX"] = NAMESPACE
CELERY_TASK_DEFAULT_QUEUE = NAMESPACE
