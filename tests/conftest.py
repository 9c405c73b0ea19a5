"""Shared fixtures: three fixed people (a lead, an engineer, an outsider) and their team."""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Iterator
from datetime import datetime, time
from typing import Any

import pytest
import time_machine

from tests import clock, servers

# Before Django reads its settings (pytest-django sets Django up after this module loads).
DATABASE_URL = servers.choose_database_url()
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planner.settings")
os.environ["EMAIL_BACKEND"] = "memory"
# Webhook tests deliver to a server of their own on 127.0.0.1 over plain http.
os.environ["WEBHOOKS_ALLOW_PRIVATE"] = "true"

import django  # noqa: E402

django.setup()  # with the environment chosen above; pytest-django finds Django ready

from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402

# Hashing a password the production way costs about 0.3 s; every user a test creates would
# pay it. Tests check who may sign in, not the hash's strength.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

from planner.celery import app as celery_app  # noqa: E402

# Tasks run in the test process when their transaction commits; the integration tests
# that start a real worker switch this off for themselves.
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True

from tests.factories import MembershipFactory, TeamFactory, UserFactory  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    clock.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    clock.stop()


def pytest_report_header() -> list[str]:
    engine = "PostgreSQL" if servers.uses_postgres(DATABASE_URL) else "SQLite"
    where = DATABASE_URL if engine == "PostgreSQL" else "in memory"
    redis = "Redis: 127.0.0.1:6379" if servers.redis_available() else "Redis: not reachable"
    return [f"Test database: {engine} ({where})", redis, clock.describe()]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests whose server is absent, with the reason; under CI, let them fail instead."""
    if servers.IN_CI:
        return
    reasons = {}
    if not servers.uses_postgres(DATABASE_URL):
        reasons["postgres"] = "needs PostgreSQL: set DATABASE_URL or start it on 127.0.0.1:5432"
    if not servers.redis_available():
        reasons["redis"] = "needs Redis on 127.0.0.1:6379"
    for item in items:
        for marker, reason in reasons.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """In a clock run (`make test-clock`), every test once at each of the instants."""
    if clock.every_instant() and "_clock_instant" in metafunc.fixturenames:
        params = clock.instant_params()
        metafunc.parametrize(
            "_clock_instant",
            [instant for _name, instant in params],
            ids=[f"clock:{name}" for name, _instant in params],
            indirect=True,
        )


@pytest.fixture
def _clock_instant(request: pytest.FixtureRequest) -> Any:
    """The instant this test starts at: a clock run's, PLANNER_TEST_NOW's, or None."""
    return getattr(request, "param", None)


@pytest.fixture(autouse=True)
def _suite_clock(_clock_instant: Any) -> Iterator[None]:
    with clock.each_test(_clock_instant):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate limits and dashboards live in the cache: each test starts with none (ids repeat
    across tests on SQLite)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def lead(db: Any) -> Any:
    return UserFactory.create(email="lead@example.org", name="Lea Lead")


@pytest.fixture
def engineer(db: Any) -> Any:
    return UserFactory.create(email="engineer@example.org", name="Emil Engineer")


@pytest.fixture
def outsider(db: Any) -> Any:
    return UserFactory.create(email="outsider@example.org", name="Otto Outsider")


@pytest.fixture
def team(lead: Any, engineer: Any) -> Any:
    team = TeamFactory.create(name="ML Platform", slug="ml-platform")
    MembershipFactory.create(team=team, user=lead, role="lead")
    MembershipFactory.create(team=team, user=engineer, role="engineer")
    return team


@pytest.fixture
def before_the_reminder_hour() -> Iterator[datetime]:
    """A morning two hours before the reminder hour in the teams' time zone (the tests'
    teams are in Zurich), the clock ticking: a plan started now as day 1 has its kick-off
    still to come, whatever the hour the suite runs at. The date stays the suite's (see
    tests/clock.py), so `make test-clock` runs the tests that use it on the clock-change
    days too."""
    zurich = zoneinfo.ZoneInfo("Europe/Zurich")
    today = timezone.localdate(timezone=zurich)
    morning = datetime.combine(today, time(settings.REMINDER_HOUR - 2), tzinfo=zurich)
    with time_machine.travel(morning, tick=True):
        yield morning
