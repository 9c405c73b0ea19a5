"""Placing tasks within the team's capacity: days, people, order and the backlog."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from planner.plans.scheduling import (
    Job,
    Seat,
    Span,
    equal_shares,
    placing_order,
    schedule,
    segments,
    week_capacity,
    week_loads,
    weeks,
)

MONTH = [(1, 7), (8, 14), (15, 21), (22, 30)]
FORTNIGHT = [(1, 3), (4, 7), (8, 10), (11, 14)]


def job(name: str, effort: float, *after: str, phase: int = 1, rank: int = 0, **extra) -> Job:
    return Job(name, phase, effort, tuple(after), (rank,), **extra)


def test_a_chain_takes_a_day_each_and_what_the_week_cannot_hold_waits():
    jobs = [job("a", 3), job("b", 3, "a"), job("c", 3, "b"), job("d", 1, "c")]
    result = schedule(jobs, MONTH, [Seat(1, 6)])
    assert [(p.id, p.start, p.end) for p in result.placed] == [("a", 1, 1), ("b", 2, 2)]
    assert [(d.id, d.reason, d.waiting_for) for d in result.backlog] == [
        ("c", "capacity", None),
        ("d", "prerequisite", "c"),
    ]


def test_a_second_person_takes_what_the_first_week_of_one_cannot():
    jobs = [job("a", 3), job("b", 3, "a"), job("c", 3, "b")]
    result = schedule(jobs, MONTH, [Seat(1, 6), Seat(2, 6)])
    assert [(p.id, p.end) for p in result.placed] == [("a", 1), ("b", 2), ("c", 3)]
    assert not result.backlog


def test_a_long_task_spans_days_at_most_a_focused_day_each():
    result = schedule([job("pipeline", 16, phase=2)], MONTH, [Seat(1, 40)])
    (placed,) = result.placed
    assert (placed.start, placed.end) == (8, 9)  # 8 h a day for someone on the plan full time
    part_time = schedule([job("pipeline", 16, phase=2)], MONTH, [Seat(1, 20)])
    assert [(p.start, p.end) for p in part_time.placed] == [(8, 10)]  # 6 h a day at most


def test_a_task_bigger_than_anyones_week_in_its_phase_waits():
    result = schedule([job("distil", 40, phase=3)], MONTH, [Seat(1, 20), Seat(2, 20)])
    assert [(d.id, d.reason) for d in result.backlog] == [("distil", "capacity")]


def test_a_review_task_ends_on_its_phases_last_day_after_the_work_it_reviews():
    jobs = [job("work", 2, phase=2), job("checkpoint", 2, "work", phase=2, anchored=True)]
    result = schedule(jobs, MONTH, [Seat(1, 6)])
    ends = {p.id: (p.start, p.end) for p in result.placed}
    assert ends == {"work": (8, 8), "checkpoint": (14, 14)}
    short = schedule(jobs, FORTNIGHT, [Seat(1, 10)])
    assert {p.id: p.end for p in short.placed} == {"work": 4, "checkpoint": 7}


def test_a_review_of_work_that_all_stayed_out_stays_out_too():
    jobs = [job("work", 9, phase=2), job("checkpoint", 2, "work", phase=2, anchored=True)]
    result = schedule(jobs, MONTH, [Seat(1, 6)])
    assert result.placed == []
    assert {(d.id, d.reason) for d in result.backlog} == {
        ("work", "capacity"),
        ("checkpoint", "prerequisite"),
    }


def test_a_phase_of_three_days_holds_half_a_week_and_leaves_the_rest_to_the_next():
    jobs = [job("a", 3), job("b", 2), job("c", 4, phase=2)]
    result = schedule(jobs, FORTNIGHT, [Seat(1, 7)])
    assert [p.id for p in result.placed] == ["a", "c"]  # days 1-3 hold 3.5 of the 7 hours
    assert segments(FORTNIGHT) == [(1, 3), (4, 7), (8, 10), (11, 14)]


def test_a_task_nobodys_week_holds_is_shared_side_by_side():
    result = schedule([job("import", 10, phase=2, max_parts=3)], MONTH, [Seat(1, 6), Seat(2, 6)])
    assert [(p.seat, p.part, p.parts, p.start, p.end) for p in result.placed] == [
        (0, 1, 2, 8, 8),
        (1, 2, 2, 8, 8),
    ]


def test_shares_are_as_equal_as_half_hours_allow_the_larger_first():
    assert equal_shares(8, 3) == [3.0, 2.5, 2.5]
    assert equal_shares(10, 2) == [5.0, 5.0]
    assert equal_shares(7, 4) == [2.0, 2.0, 1.5, 1.5]
    assert equal_shares(5, 1) == [5.0]
    assert equal_shares(1 / 3, 2) == [1 / 6, 1 / 6]  # not in half hours: exactly equal
    result = schedule(
        [job("alerts", 8, phase=2, max_parts=3)], MONTH, [Seat(i, 3) for i in (1, 2, 3)]
    )
    assert sorted(p.effort for p in result.placed) == [2.5, 2.5, 3.0]


def test_work_a_later_phase_needs_moves_on_when_its_own_phase_is_full():
    jobs = [
        job("analysis", 6, rank=0),
        job("benchmark", 3, rank=1),
        job("quantize", 3, "benchmark", phase=3, rank=1),
    ]
    result = schedule(jobs, MONTH, [Seat(1, 6)])
    placed = {p.id: (p.phase, p.start, p.end) for p in result.placed}
    assert placed == {"analysis": (1, 1, 1), "benchmark": (2, 8, 8), "quantize": (3, 15, 15)}


def test_work_moved_on_for_work_that_then_did_not_fit_gives_its_hours_back():
    jobs = [
        job("analysis", 6, rank=0),
        job("benchmark", 3, rank=1),
        job("quantize", 12, "benchmark", phase=3, rank=1),
        job("docs", 6, phase=2, rank=2),
    ]
    result = schedule(jobs, MONTH, [Seat(1, 6)])
    assert {p.id for p in result.placed} == {"analysis", "docs"}


def test_the_better_ranked_task_gets_the_hours_and_pulls_its_prerequisite_along():
    jobs = [
        job("nice", 4, rank=3),
        job("base", 2, rank=9),
        job("core", 3, "base", rank=1),
    ]
    assert [j.id for j in placing_order(jobs)] == ["base", "core", "nice"]
    result = schedule(jobs, MONTH, [Seat(1, 6)])
    assert {p.id for p in result.placed} == {"base", "core"}
    assert [(d.id, d.reason) for d in result.backlog] == [("nice", "capacity")]


def test_equal_people_share_the_work_and_someone_without_hours_gets_none():
    jobs = [job(f"t{n}", 2) for n in range(6)]
    result = schedule(jobs, MONTH, [Seat(1, 6), Seat(2, 6), Seat(3, 0)])
    per_person = [sum(1 for p in result.placed if p.seat == seat) for seat in range(3)]
    assert per_person == [3, 3, 0]


def test_seats_nobody_holds_yet_are_used_like_people():
    result = schedule([job("a", 5), job("b", 5)], MONTH, [Seat(None, 6), Seat(None, 6)])
    assert sorted(p.seat for p in result.placed) == [0, 1]


def test_weeks_and_their_capacity_prorate_a_short_last_week():
    assert weeks(30)[-1] == (29, 30)
    assert week_capacity(7, 30) == [7, 7, 7, 7, 2]
    assert week_loads([Span(1, 6, 9, 8)], 14) == {1: [4.0, 4.0]}


@st.composite
def workloads(draw: st.DrawFn) -> tuple[list[Job], list[tuple[int, int]], list[Seat]]:
    layout = draw(st.sampled_from([MONTH, FORTNIGHT]))
    count = draw(st.integers(1, 30))
    jobs: list[Job] = []
    for index in range(count):
        phase = draw(st.integers(1, 4))
        earlier = [j.id for j in jobs if j.phase < phase]
        same = [j.id for j in jobs if j.phase == phase and not j.anchored]
        pool = earlier + (same if layout is MONTH else [])  # short phases: no chains
        after = draw(st.lists(st.sampled_from(pool), unique=True, max_size=3)) if pool else []
        jobs.append(
            Job(
                f"j{index}",
                phase,
                draw(st.sampled_from([0.5, 1, 2, 3, 4, 6, 8, 12, 16, 24, 40])),
                tuple(after),
                (draw(st.integers(0, 3)), index),
                anchored=draw(st.booleans()) and not after,
                max_parts=draw(st.integers(1, 3)),
            )
        )
    seats = draw(
        st.lists(
            st.builds(
                Seat,
                st.one_of(st.none(), st.integers(1, 5)),
                st.floats(0, 40, allow_nan=False),
            ),
            min_size=1,
            max_size=12,
        )
    )
    return jobs, layout, seats


@settings(max_examples=300, deadline=None)
@given(workloads())
def test_every_job_is_placed_within_its_rules_or_waits_with_a_reason(case):
    jobs, layout, seats = case
    result = schedule(jobs, layout, seats)
    by_id = {j.id: j for j in jobs}
    ends: dict[str, int] = {}
    for p in result.placed:
        ends[p.id] = max(ends.get(p.id, 0), p.end)
    waiting = {d.id: d for d in result.backlog}
    assert sorted([*ends, *waiting]) == sorted(by_id)
    length = layout[-1][1]
    for seat_index, seat in enumerate(seats):
        mine = [p for p in result.placed if p.seat == seat_index]
        loads = week_loads((Span(1, p.start, p.end, p.effort) for p in mine), length)
        for load, limit in zip(
            loads.get(1, []), week_capacity(seat.weekly_hours, length), strict=False
        ):
            assert load <= limit + 1e-6
        for first, last in segments(layout):  # a phase's part of a week: its share
            held = sum(
                p.effort * (min(last, p.end) - max(first, p.start) + 1) / (p.end - p.start + 1)
                for p in mine
                if p.start <= last and p.end >= first
            )
            assert held <= seat.weekly_hours * max((last - first + 1) / 7, 0.5) + 1e-6
        for day in range(1, length + 1):
            hours = sum(p.effort / (p.end - p.start + 1) for p in mine if p.start <= day <= p.end)
            assert hours <= seat.day_limit + 1e-6
    for p in result.placed:
        job = by_id[p.id]
        first, last = layout[p.phase - 1]
        assert first <= p.start <= p.end <= last
        assert p.phase == job.phase or (not job.anchored and p.phase > job.phase)
        if job.anchored:
            assert p.end == last
        for before in job.prerequisites:
            if job.anchored:
                continue  # a review reviews what got done
            assert before in ends
            assert ends[before] < p.start
    for d in result.backlog:
        if d.reason == "prerequisite":
            assert d.waiting_for in waiting
