from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from datetime import datetime, time

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

ZURICH = zoneinfo.ZoneInfo("Europe/Zurich")  # the time zone of the teams the tests make


@pytest.fixture(autouse=True)
def _before_the_reminder_hour() -> Iterator[datetime]:
    """Every reminder test starts on a morning two hours before the reminder hour in the
    teams' time zone, the clock ticking: a plan started now as day 1 has its kick-off
    still to come, whatever the hour the suite runs at. The date stays the suite's (see
    tests/clock.py), so `make test-clock` runs these tests on the clock-change days too."""
    today = timezone.localdate(timezone=ZURICH)
    morning = datetime.combine(today, time(settings.REMINDER_HOUR - 2), tzinfo=ZURICH)
    with time_machine.travel(morning, tick=True):
        yield morning
