"""Where a plan stands, computed from plain facts: no database, no request."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from planner.plans.days import plan_day
from planner.progress import charts
from planner.progress.standing import (
    DONE,
    OPEN,
    SKIPPED,
    KpiStanding,
    Schedule,
    TaskFact,
    burn_up,
    current_phase,
    phase_progress,
    standing,
    workload,
)

PHASES = [[1, 7], [8, 14], [15, 21], [22, 30]]


def fact(day: int, effort: float = 10, status: str = OPEN, closed: int | None = None, who=None):
    phase = current_phase(PHASES, day) or 4
    return TaskFact(phase, day, effort, status, closed, who)


def test_plan_day_counts_the_start_date_as_day_one():
    assert plan_day(date(2027, 3, 1), date(2027, 3, 1)) == 1
    assert plan_day(date(2027, 3, 1), date(2027, 2, 28)) == 0
    assert plan_day(date(2027, 3, 1), date(2027, 3, 31)) == 31


def test_behind_when_done_is_more_than_15_percent_under_what_was_due_before_today():
    tasks = [fact(1), fact(2), fact(5)]  # 20 h due before day 3
    assert standing([*tasks], 3, 30).due_before_today == 20
    just_inside = [fact(1, 17, DONE, 1), fact(2, 3), fact(5)]  # 17 of 20: 15% under
    assert standing(just_inside, 3, 30).schedule == Schedule.ON_TRACK
    outside = [fact(1, 16.9, DONE, 1), fact(2, 3.1), fact(5)]
    assert standing(outside, 3, 30).schedule == Schedule.BEHIND


def test_ahead_when_done_is_more_than_15_percent_over_what_is_due_by_tonight():
    tasks = [fact(1, 10, DONE, 1), fact(3, 10, DONE, 2), fact(9, 10, DONE, 2)]
    # Due by tonight (day 3): 20 h; done 30 h.
    assert standing(tasks, 3, 30).schedule == Schedule.AHEAD
    assert standing(tasks[:2], 3, 30).schedule == Schedule.ON_TRACK


def test_neither_ahead_nor_behind_until_a_tenth_of_the_work_is_due():
    # 100 h in the plan, 5 h due on day 1: one tick is not "ahead", no tick not "behind".
    tasks = [fact(1, 5, DONE, 1), fact(3, 5), fact(20, 90)]
    assert standing(tasks, 1, 30).schedule == Schedule.EARLY
    assert standing([fact(1, 5), *tasks[1:]], 2, 30).schedule == Schedule.EARLY
    # Day 3: 10 h due, a tenth of the plan: now it is judged.
    assert standing([fact(1, 5), *tasks[1:]], 4, 30).schedule == Schedule.BEHIND
    assert standing(tasks, 3, 30).schedule == Schedule.ON_TRACK


def test_skipped_tasks_count_neither_as_due_nor_as_done():
    tasks = [fact(1, 10, SKIPPED, 1), fact(2, 10, DONE, 2)]
    result = standing(tasks, 5, 30)
    assert (result.due_before_today, result.done, result.scope) == (10, 10, 10)
    assert result.schedule == Schedule.ON_TRACK
    assert result.percent_done == 100


def test_before_the_start_the_plan_is_not_started():
    assert standing([fact(1)], 0, 30).schedule == Schedule.NOT_STARTED


def test_after_the_last_day_everything_is_due():
    tasks = [fact(30, 10), fact(29, 10, DONE, 29)]
    result = standing(tasks, 45, 30)
    assert result.due_before_today == 20
    assert result.schedule == Schedule.BEHIND


def test_phase_progress_counts_tasks_and_effort_and_knows_the_current_phase():
    tasks = [fact(1, 4, DONE, 1), fact(2, 4), fact(3, 2, SKIPPED, 2), fact(9, 5)]
    phases = phase_progress(tasks, PHASES, 9)
    first, second = phases[0], phases[1]
    assert (first.total, first.done, first.skipped, first.open) == (3, 1, 1, 1)
    assert first.percent == 50  # 4 of 8 h; the skipped 2 h are out of scope
    assert [p.state for p in phases] == ["past", "current", "future", "future"]
    assert second.percent == 0


def test_burn_up_accumulates_expected_and_done_effort_per_day():
    tasks = [fact(1, 2, DONE, 1), fact(2, 3, DONE, 4), fact(4, 5), fact(6, 1, SKIPPED, 3)]
    burn = burn_up(tasks, 7, 5)
    assert burn.expected == [0, 2, 5, 5, 10, 10, 10, 10]
    assert burn.done == [0, 2, 2, 2, 5, 5]  # up to today, day 5
    assert burn.scope == 10


def test_workload_per_assignee_with_overdue_tasks():
    tasks = [fact(1, 2, OPEN, None, 7), fact(5, 3, DONE, 5, 7), fact(9, 4, OPEN, None, None)]
    loads = workload(tasks, 6)
    assert (loads[7].open, loads[7].overdue, loads[7].done, loads[7].done_effort) == (1, 1, 1, 3)
    assert loads[None].open == 1
    assert loads[None].overdue == 0


def test_lower_is_better_kpi_progress_and_reached():
    halfway = KpiStanding("lower", baseline=200, target=100, latest=150)
    assert (halfway.percent, halfway.reached) == (50, False)
    assert KpiStanding("lower", 200, 100, 90).reached
    assert KpiStanding("lower", 200, 100, 250).percent == 0  # worse than the baseline
    assert KpiStanding("lower", 200, 100, None).progress is None


def test_higher_is_better_kpi():
    assert KpiStanding("higher", 1, 3, 2).percent == 50
    assert KpiStanding("higher", 1, 3, 3).reached


def test_band_kpi_is_reached_inside_the_band_and_measures_distance_outside():
    below = KpiStanding("band", baseline=20, target=60, latest=40, band=(60, 85))
    assert (below.reached, below.percent) == (False, 50)
    assert KpiStanding("band", 20, 60, 70, band=(60, 85)).reached
    assert not KpiStanding("band", 20, 60, 90, band=(60, 85)).reached


facts = st.builds(
    TaskFact,
    phase=st.integers(1, 4),
    day=st.integers(1, 30),
    effort=st.floats(0.5, 40),
    status=st.sampled_from([OPEN, DONE, SKIPPED]),
    closed_day=st.one_of(st.none(), st.integers(-3, 40)),
    assignee_id=st.one_of(st.none(), st.integers(1, 4)),
)


@given(st.lists(facts, max_size=60), st.integers(-5, 40))
def test_figures_stay_in_range_and_the_burn_up_never_falls(tasks, day):
    result = standing(tasks, day, 30)
    assert 0 <= result.percent_done <= 100
    assert result.done <= result.scope + 1e-6
    burn = burn_up(tasks, 30, day)
    assert all(a <= b + 1e-9 for a, b in zip(burn.expected, burn.expected[1:], strict=False))
    assert all(a <= b + 1e-9 for a, b in zip(burn.done, burn.done[1:], strict=False))
    assert len(burn.done) == min(max(day, 0), 30) + 1
    assert all(0 <= p.percent <= 100 for p in phase_progress(tasks, PHASES, day))
    chart = charts.burn_up_chart(burn, [1, 8, 15, 22], day)
    assert "," in chart.expected
    assert "nan" not in chart.expected


@given(
    st.sampled_from(["lower", "higher"]),
    st.floats(1, 1000),
    st.floats(0.1, 0.9),
    st.floats(0, 2000),
)
def test_kpi_progress_is_between_zero_and_one(direction, baseline, factor, latest):
    target = baseline * factor if direction == "lower" else baseline / factor
    progress = KpiStanding(direction, baseline, target, latest).progress
    assert progress is not None
    assert 0 <= progress <= 1


def test_charts_use_dots_in_every_language():
    from django.utils import translation

    burn = burn_up([fact(1, 2.5, DONE, 1)], 30, 2)
    with translation.override("de"):
        chart = charts.burn_up_chart(burn, [1, 8, 15, 22], 2)
        spark = charts.sparkline([1.5, 2.25], 3.0, 1.0)
    assert "." in chart.done
    assert ";" not in chart.done
    assert all("," not in part for part in spark.target_y)
