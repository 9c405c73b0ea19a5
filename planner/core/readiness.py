"""Whether the services a request may need answer: the database, the cache, the broker.

Each check answers True or False and logs why it failed; the reason never reaches the
caller, since `/readyz` answers anyone who can reach the process.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connection

from planner.core.cache import FallbackRedisCache

logger = logging.getLogger(__name__)

BROKER_TIMEOUT = 2  # seconds: a probe must answer before its own timeout


def database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return True


def cache_answers() -> bool:
    # Behind the fallback, ask Redis itself: the fallback answers even when Redis is down.
    cache = caches["default"]
    backend = cache.redis if isinstance(cache, FallbackRedisCache) else cache
    key = f"readyz:{uuid.uuid4().hex}"
    backend.set(key, 1, timeout=5)
    found: bool = backend.get(key) == 1
    backend.delete(key)
    return found


def broker() -> bool:
    from planner.celery import app

    with app.connection_for_write(settings.CELERY_BROKER_URL) as connection_:
        connection_.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)
    return True


CHECKS: dict[str, Callable[[], bool]] = {
    "database": database,
    "cache": cache_answers,
    "broker": broker,
}


def readiness() -> dict[str, bool]:
    """Each service by name: answering or not."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:
            logger.exception("Readiness check %s failed", name)
            results[name] = False
        if not results[name]:
            logger.warning("Readiness check %s: not answering", name)
    return results
