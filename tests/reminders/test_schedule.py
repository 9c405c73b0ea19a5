"""When reminders are due: boundaries, local hours across clock changes, what to send."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from planner.reminders.schedule import boundaries, decide, local_moment, plan_schedule

ZURICH = ZoneInfo("Europe/Zurich")
THIRTY = [[1, 7], [8, 14], [15, 21], [22, 30]]
FOURTEEN = [[1, 3], [4, 7], [8, 10], [11, 14]]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_thirty_day_plan_has_kick_off_three_phase_starts_and_wrap_up():
    found = [(b.key, b.day, b.ended_phase, b.next_phase) for b in boundaries(THIRTY, 30)]
    assert found == [
        ("kickoff", 1, None, 1),
        ("phase-2", 8, 1, 2),
        ("phase-3", 15, 2, 3),
        ("phase-4", 22, 3, 4),
        ("wrapup", 31, 4, None),  # the morning after day 30: the end of the plan
    ]


def test_fourteen_day_variant_has_its_own_days():
    assert [b.day for b in boundaries(FOURTEEN, 14)] == [1, 4, 8, 11, 15]


def test_nine_o_clock_stays_nine_across_the_march_clock_change():
    # Europe/Zurich moves from CET (+1) to CEST (+2) on Sunday 28 March 2027.
    start = date(2027, 3, 22)
    kick_off, phase_two = plan_schedule(start, THIRTY, 30, ZURICH, 9)[:2]
    assert kick_off.at == utc(2027, 3, 22, 8)  # 09:00 CET
    assert phase_two.at == utc(2027, 3, 29, 7)  # 09:00 CEST, a week later
    assert phase_two.at.astimezone(ZURICH).hour == 9


def test_nine_o_clock_stays_nine_across_the_october_clock_change():
    # Back from CEST to CET on Sunday 31 October 2027.
    schedule = plan_schedule(date(2027, 10, 25), THIRTY, 30, ZURICH, 9)
    assert schedule[0].at == utc(2027, 10, 25, 7)
    assert schedule[1].at == utc(2027, 11, 1, 8)
    assert {d.at.astimezone(ZURICH).hour for d in schedule} == {9}


def test_an_hour_the_clock_skips_is_read_with_the_offset_before_the_change():
    # 02:30 does not exist on 28 March 2027 in Zurich; it becomes 03:30 CEST.
    moment = local_moment(date(2027, 3, 28), 1, ZURICH, 2)
    assert moment == utc(2027, 3, 28, 1)
    assert moment.astimezone(ZURICH).hour == 3


def test_an_hour_that_happens_twice_is_its_first_occurrence():
    moment = local_moment(date(2027, 10, 31), 1, ZURICH, 2)
    assert moment == utc(2027, 10, 31, 0)  # 02:00 CEST, not 02:00 CET an hour later


SCHEDULE = plan_schedule(date(2027, 3, 1), THIRTY, 30, ZURICH, 9)


def test_nothing_is_due_before_the_kick_off():
    decision = decide(SCHEDULE, set(), utc(2027, 3, 1, 7, 59))
    assert decision.send is None
    assert decision.skip == []
    assert decision.next_at == utc(2027, 3, 1, 8)


def test_the_due_boundary_is_sent_and_the_next_one_is_next():
    decision = decide(SCHEDULE, set(), utc(2027, 3, 8, 8, 5))
    assert decision.send is not None
    assert decision.send.boundary.key == "phase-2"
    assert [d.boundary.key for d in decision.skip] == ["kickoff"]
    assert decision.next_at == utc(2027, 3, 15, 8)
    after = decide(SCHEDULE, {"kickoff", "phase-2"}, utc(2027, 3, 8, 8, 10))
    assert after.send is None
    assert after.skip == []


def test_a_long_outage_sends_the_latest_boundary_once_and_skips_the_older_ones():
    decision = decide(SCHEDULE, {"kickoff"}, utc(2027, 3, 23, 12))
    assert decision.send is not None
    assert decision.send.boundary.key == "phase-4"
    assert [d.boundary.key for d in decision.skip] == ["phase-2", "phase-3"]


def test_a_boundary_older_than_one_already_sent_is_skipped_not_sent():
    # The start date moved back: phase 2 is now due, but phase 3 went out already.
    decision = decide(SCHEDULE, {"kickoff", "phase-3"}, utc(2027, 3, 16, 12))
    assert decision.send is None
    assert [d.boundary.key for d in decision.skip] == ["phase-2"]


def test_after_the_wrap_up_nothing_is_left():
    done = {"kickoff", "phase-2", "phase-3", "phase-4", "wrapup"}
    assert decide(SCHEDULE, done, utc(2027, 5, 1)).next_at is None


@given(
    st.dates(date(2026, 1, 1), date(2030, 12, 31)),
    st.integers(0, 23),
    st.sampled_from(["Europe/Zurich", "America/New_York", "Australia/Sydney", "UTC"]),
)
def test_every_boundary_is_at_the_local_hour_or_just_after_a_skipped_one(start, hour, zone_name):
    zone = ZoneInfo(zone_name)
    schedule = plan_schedule(start, THIRTY, 30, zone, hour)
    times = [d.at for d in schedule]
    assert times == sorted(times)
    for due in schedule:
        local = due.at.astimezone(zone)
        assert local.hour in (hour, (hour + 1) % 24)
        assert local.minute == 0


@given(st.integers(0, 60 * 24 * 40), st.sets(st.sampled_from(["kickoff", "phase-2", "phase-3"])))
def test_decide_never_sends_what_is_done_or_not_yet_due(minutes, done):
    now = utc(2027, 2, 28) + (utc(2027, 1, 1, 0, 1) - utc(2027, 1, 1)) * minutes
    decision = decide(SCHEDULE, done, now)
    if decision.send is not None:
        assert decision.send.at <= now
        assert decision.send.boundary.key not in done
    assert all(d.at <= now and d.boundary.key not in done for d in decision.skip)
    assert decision.next_at is None or decision.next_at > now


def test_a_boundary_before_the_moment_reminders_count_from_is_skipped_not_sent():
    # Resumed at 10:00 on day 8 (09:00 UTC): phase 2 began at 09:00 while it was paused.
    resumed = utc(2027, 3, 8, 9)
    decision = decide(SCHEDULE, {"kickoff"}, resumed + timedelta(minutes=5), resumed)
    assert decision.send is None
    assert [d.boundary.key for d in decision.skip] == ["phase-2"]
    assert decision.next_at == utc(2027, 3, 15, 8)


def test_a_boundary_from_that_moment_on_is_sent():
    decision = decide(SCHEDULE, {"kickoff"}, utc(2027, 3, 8, 8), utc(2027, 3, 8, 8))
    assert decision.send is not None
    assert decision.send.boundary.key == "phase-2"


@given(
    st.integers(0, 60 * 24 * 40),
    st.integers(0, 60 * 24 * 40),
    st.sets(st.sampled_from(["kickoff", "phase-2", "phase-3"])),
)
def test_decide_never_sends_a_boundary_before_the_moment_reminders_count_from(
    minutes, counts_from_minutes, done
):
    start = utc(2027, 2, 28)
    now = start + timedelta(minutes=minutes)
    counts_from = start + timedelta(minutes=counts_from_minutes)
    decision = decide(SCHEDULE, done, now, counts_from)
    if decision.send is not None:
        assert counts_from <= decision.send.at <= now
    unsent = [d for d in SCHEDULE if d.at <= now and d.boundary.key not in done]
    assert sorted([*decision.skip, *([decision.send] if decision.send else [])], key=str) == sorted(
        unsent, key=str
    )  # every due boundary not in the ledger is recorded, sent or skipped
