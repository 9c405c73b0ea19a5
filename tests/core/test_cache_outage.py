"""Redis down is a cache miss: pages answer, sign-in works and keeps its lockout, and
everything goes back to Redis when it answers again, without a restart.

Each test starts its own Redis on a free port (tests/faults.py), never the shared one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis as redis_client
from django.core.cache import caches
from django.test import Client, override_settings

from planner.core import cache as fallback
from tests.factories import PASSWORD
from tests.faults import RedisServer
from tests.progress.plans import running_plan

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    server = RedisServer()
    yield server
    server.remove()


@pytest.fixture
def redis_cache(redis: RedisServer, monkeypatch) -> Iterator[RedisServer]:
    """The default cache on the drill's Redis, trying it again at once after a failure."""
    monkeypatch.setattr(fallback, "RETRY_AFTER", 0.0)
    backend = {"BACKEND": "planner.core.cache.FallbackRedisCache", "LOCATION": redis.url}
    with override_settings(CACHES={"default": backend}):
        yield redis


def test_a_cache_outage_is_a_logged_miss_and_redis_is_used_again_when_it_answers(
    redis_cache, caplog
):
    cache = caches["default"]
    assert cache.get("answer") is None  # down: a miss, not an error
    cache.set("answer", 42)
    assert cache.get("answer") == 42  # kept in this process meanwhile
    assert caplog.text.count("Cache unavailable") >= 1
    redis_cache.start()
    cache.set("answer", 43)
    stored = redis_client.Redis.from_url(redis_cache.url)
    assert any(stored.scan_iter("*answer*"))  # back in Redis, no restart
    assert cache.get("answer") == 43
    assert "Cache answers again" in caplog.text


def test_while_redis_is_down_pages_do_not_wait_on_it_again_and_again(
    redis_cache, monkeypatch, caplog
):
    monkeypatch.setattr(fallback, "RETRY_AFTER", 60.0)
    cache = caches["default"]
    for _ in range(10):
        cache.get("answer")
    assert caplog.text.count("Cache unavailable") == 1
    redis_cache.start()
    assert cache.get("answer") is None  # still within the minute: the local cache answers
    assert "Cache answers again" not in caplog.text


def test_sign_in_works_and_locks_with_redis_down(redis_cache, client: Client, engineer):
    for _ in range(5):
        client.post("/accounts/login/", {"login": engineer.email, "password": "wrong-one"})
    locked = client.post("/accounts/login/", {"login": engineer.email, "password": PASSWORD})
    assert locked.status_code == 200
    assert "Too many failed login attempts" in str(locked.context["form"].errors)
    assert not client.get("/").context["user"].is_authenticated


def test_sign_in_and_the_dashboard_answer_with_redis_down(
    redis_cache, client: Client, engineer, team, lead
):
    running_plan(team, lead, day=10)
    signed_in = client.post("/accounts/login/", {"login": engineer.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    dashboard = client.get(f"/teams/{team.slug}/progress/")
    assert dashboard.status_code == 200
    assert team.name.encode() in dashboard.content
