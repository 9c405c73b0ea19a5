"""The suite's clock: PLANNER_TEST_NOW starts every test at the instant it names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from tests import clock


def test_each_test_starts_at_the_chosen_instant_and_the_clock_ticks(monkeypatch):
    monkeypatch.setenv(clock.VARIABLE, "2027-10-31T02:30:00+01:00")
    with clock.each_test():
        first = timezone.now()
        assert datetime(2027, 10, 31, 1, 30, tzinfo=UTC) <= first
        assert (first - datetime(2027, 10, 31, 1, 30, tzinfo=UTC)).total_seconds() < 5
        assert timezone.now() > first  # ticking, not frozen


def test_without_an_instant_the_clock_is_left_alone(monkeypatch):
    monkeypatch.delenv(clock.VARIABLE, raising=False)
    monkeypatch.delenv(clock.ALL_VARIABLE, raising=False)
    before = timezone.now()
    with clock.each_test():
        assert abs((timezone.now() - before).total_seconds()) < 5
    assert clock.describe() == "Clock: real"


@pytest.mark.parametrize(
    ("value", "message"),
    [("tomorrow", "is not an ISO 8601 instant"), ("2027-03-28T03:30", "needs a UTC offset")],
)
def test_an_instant_that_is_not_one_stops_the_run_with_the_reason(monkeypatch, value, message):
    monkeypatch.setenv(clock.VARIABLE, value)
    with pytest.raises(SystemExit, match=message):
        clock.chosen_instant()


def test_a_clock_run_names_every_instant_once(monkeypatch):
    monkeypatch.setenv(clock.ALL_VARIABLE, "all")
    assert clock.every_instant()
    params = clock.instant_params()
    assert [instant for _name, instant in params] == [
        datetime.fromisoformat(instant) for instant, _why in clock.INSTANTS
    ]
    assert len({name for name, _instant in params}) == len(clock.INSTANTS)
