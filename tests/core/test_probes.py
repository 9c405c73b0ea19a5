"""The probes: `/healthz` (the process answers) and `/readyz` (its services answer)."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from django.test import Client, override_settings

from planner.core import readiness
from tests.faults import RedisServer

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_host_check(client: Client):
    response = client.get("/healthz", HTTP_HOST="unlisted.invalid")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_each_service_without_host_check(client: Client):
    response = client.get("/readyz", HTTP_HOST="unlisted.invalid")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}


def test_readyz_says_which_service_is_down_never_why(client: Client, caplog):
    def broken() -> bool:
        raise OSError("connection to server at 10.1.2.3 failed: password authentication")

    with patch.dict(readiness.CHECKS, {"database": broken}):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "down",
        "cache": "ok",
        "broker": "ok",
    }
    assert b"10.1.2.3" not in response.content
    assert b"password" not in response.content
    assert "10.1.2.3" in caplog.text  # the operator finds the reason in the log
    # Liveness does not depend on the database: restarting would not bring it back.
    assert client.get("/healthz").status_code == 200


@pytest.mark.redis
def test_readyz_follows_a_redis_outage_and_recovers_without_a_restart(client: Client):
    redis = RedisServer()
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis.url}
    }
    try:
        with override_settings(CACHES=caches, CELERY_BROKER_URL=redis.url):
            # Redis down degrades the replica; it stays ready: pages go on without it, and
            # taking every replica out of the load balancer would make it an outage.
            down = client.get("/readyz")
            assert down.status_code == 200
            assert down.json() == {
                "status": "degraded",
                "database": "ok",
                "cache": "down",
                "broker": "down",
            }
            redis.start()
            up = client.get("/readyz")
            assert up.status_code == 200, up.json()
            assert up.json()["status"] == "ok"
            redis.stop()
            assert client.get("/readyz").json()["status"] == "degraded"
            redis.start()
            assert client.get("/readyz").json()["status"] == "ok"
    finally:
        redis.remove()
