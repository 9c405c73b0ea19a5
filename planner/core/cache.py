"""A Redis cache that an outage turns into a local one, never into an error.

Sign-in's rate limits and lockout, the dashboard's cached pieces and the session-free
counters all live in the cache. When Redis does not answer, each call falls back to a
cache in this process's memory (a miss for what was in Redis, a lockout that still holds
per process), logs the outage once, and leaves Redis alone for `RETRY_AFTER` seconds so
that pages do not wait on a dead socket; after that the next call tries Redis again, so
everything recovers without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from planner.core.metrics import CACHE_DURATION, CACHE_REQUESTS

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0  # seconds without trying Redis after it failed
SOCKET_TIMEOUT = 0.5  # seconds: a cache that answers slower than this is down for a page
OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)

T = TypeVar("T")
_MISSING = object()  # what a get answers for a key not there, told apart from a stored None


class FallbackRedisCache(BaseCache):
    """Django's RedisCache while Redis answers; a LocMemCache while it does not."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT)
        self.redis = RedisCache(server, {**params, "OPTIONS": options})
        self.local = LocMemCache(f"fallback-{server}", params)
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return time.monotonic() < self._down_until

    def _call(self, operation: str, action: Callable[[BaseCache], T]) -> T:
        started = time.perf_counter()
        try:
            return self._answer(operation, action)
        finally:
            CACHE_DURATION.labels(operation).observe(time.perf_counter() - started)

    def _answer(self, operation: str, action: Callable[[BaseCache], T]) -> T:
        if not self.down:
            try:
                result = action(self.redis)
            except OUTAGE as error:
                with self._lock:
                    if not self.down:
                        logger.warning(
                            "Cache unavailable, using this process's memory for %.0f s: %s",
                            RETRY_AFTER,
                            error,
                        )
                    self._down_until = time.monotonic() + RETRY_AFTER
            else:
                if self._down_until:
                    with self._lock:
                        if self._down_until:
                            logger.warning("Cache answers again")
                            self._down_until = 0.0
                if operation != "get":
                    CACHE_REQUESTS.labels(operation, "ok").inc()
                return result
        CACHE_REQUESTS.labels(operation, "fallback").inc()
        return action(self.local)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._call("add", lambda c: c.add(key, value, timeout, version))

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        value = self._call("get", lambda c: c.get(key, _MISSING, version))
        if value is _MISSING:
            CACHE_REQUESTS.labels("get", "miss").inc()
            return default
        CACHE_REQUESTS.labels("get", "hit").inc()
        return value

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._call("set", lambda c: c.set(key, value, timeout, version))

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._call("touch", lambda c: c.touch(key, timeout, version))

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._call("delete", lambda c: c.delete(key, version))

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._call("get_many", lambda c: c.get_many(keys, version))

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._call("has_key", lambda c: c.has_key(key, version))

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        return self._call("incr", lambda c: c.incr(key, delta, version))

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> list[Any]:
        return self._call("set_many", lambda c: c.set_many(data, timeout, version))

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._call("delete_many", lambda c: c.delete_many(keys, version))

    def clear(self) -> None:
        self._call("clear", lambda c: c.clear())
        self.local.clear()

    def close(self, **kwargs: Any) -> None:
        self.redis.close(**kwargs)
