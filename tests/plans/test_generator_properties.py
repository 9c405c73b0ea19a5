"""Properties of every generated plan, over random valid answers and options."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings

from planner.assessment.answers import validate_answers
from planner.assessment.scoring import area_scores
from planner.plans.draft import GeneratorOptions
from planner.plans.generator import generate_plan, planned_effects, select_tasks
from planner.plans.scheduling import Span, week_capacity, week_loads
from planner.playbook.loader import get_playbook
from planner.playbook.rules import holds
from planner.playbook.schema import BandTarget, RelativeTarget
from tests.plans.strategies import answers, options

PLAYBOOK = get_playbook()
CASES = settings(max_examples=150, deadline=None)


def _plan(raw: dict[str, Any], opts: GeneratorOptions):
    result = validate_answers(PLAYBOOK, raw, not_applicable=opts.not_applicable)
    assert result.ok, result.errors
    return result.answers, generate_plan(PLAYBOOK, result.answers, opts)


@CASES
@given(answers(PLAYBOOK), options(PLAYBOOK))
def test_every_phase_has_work_and_every_task_stays_inside_its_phase(raw, opts):
    _, plan = _plan(raw, opts)
    assert {task.phase for task in (*plan.tasks, *plan.backlog)} == {1, 2, 3, 4}
    for task in plan.tasks:
        first, last = plan.phases[task.phase - 1]
        assert first <= task.start_day <= task.day <= last <= opts.length


@CASES
@given(answers(PLAYBOOK), options(PLAYBOOK))
def test_the_plan_and_its_backlog_hold_exactly_the_selected_tasks(raw, opts):
    validated, plan = _plan(raw, opts)
    scores = area_scores(
        PLAYBOOK, validated, targets=opts.targets, not_applicable=opts.not_applicable
    )
    shares = [(t.task_id, t.part, t.parts) for t in plan.tasks]
    assert len(set(shares)) == len(shares)
    planned = {t.task_id for t in plan.tasks}
    for task_id in planned:  # a shared task: all its parts, each once
        parts = sorted(part for tid, part, _ in shares if tid == task_id)
        assert parts == list(range(1, len(parts) + 1))
        assert {n for tid, _, n in shares if tid == task_id} == {len(parts)}
    waiting = [t.task_id for t in plan.backlog]
    assert not planned & set(waiting)
    assert sorted([*planned, *waiting]) == sorted(select_tasks(PLAYBOOK, validated, scores))
    for entry in plan.backlog:
        if entry.reason == "prerequisite":
            assert entry.waiting_for in waiting
            assert entry.waiting_for in entry.prerequisites


@CASES
@given(answers(PLAYBOOK), options(PLAYBOOK))
def test_no_week_of_anyone_holds_more_than_their_hours(raw, opts):
    _, plan = _plan(raw, opts)
    spans = [Span(t.assignee, t.start_day, t.day, t.effort_hours) for t in plan.tasks]
    loads = week_loads(spans, plan.length)
    capacity: dict[int | None, list[float]] = {}
    for seat in plan.seats:  # the seats nobody holds yet are summed: their tasks are open
        limit = week_capacity(seat.weekly_hours, plan.length)
        row = capacity.setdefault(seat.member, [0.0] * len(limit))
        capacity[seat.member] = [a + b for a, b in zip(row, limit, strict=True)]
    for member, hours in loads.items():
        for week, load in enumerate(hours):
            assert load <= capacity[member][week] + 1e-6, (member, week)


@CASES
@given(answers(PLAYBOOK), options(PLAYBOOK))
def test_review_tasks_end_on_their_phases_last_day(raw, opts):
    _, plan = _plan(raw, opts)
    for task in plan.tasks:
        if PLAYBOOK.task(task.task_id).anchor == "phase_end":
            assert task.day == plan.phases[task.phase - 1][1]


@CASES
@given(answers(PLAYBOOK), options(PLAYBOOK))
def test_every_selected_task_condition_holds_and_area_applies(raw, opts):
    validated, plan = _plan(raw, opts)
    for drafted in plan.tasks:
        task = PLAYBOOK.task(drafted.task_id)
        assert task.area not in opts.not_applicable
        if task.when is not None:
            assert holds(task.when, validated) is not None


@CASES
@given(answers(PLAYBOOK), options(PLAYBOOK))
def test_prerequisites_end_before_their_dependants_start(raw, opts):
    _, plan = _plan(raw, opts)
    position = {task.task_id: index for index, task in enumerate(plan.tasks)}
    end: dict[str, int] = {}
    for task in plan.tasks:
        end[task.task_id] = max(end.get(task.task_id, 0), task.day)
    for task in plan.tasks:
        if PLAYBOOK.task(task.task_id).anchor == "phase_end":
            continue  # a review reviews what got done, whatever did not
        for prerequisite in task.prerequisites:
            assert position[prerequisite] < position[task.task_id]
            assert end[prerequisite] < task.start_day


@CASES
@given(answers(PLAYBOOK), options(PLAYBOOK))
def test_kpi_targets_follow_from_the_planned_work_and_never_worsen(raw, opts):
    _, plan = _plan(raw, opts)
    planned = {t.task_id for t in plan.tasks}
    for target in plan.kpi_targets:
        kpi = next(k for k in PLAYBOOK.kpis if k.id == target.kpi_id)
        rule = kpi.target
        effects = planned_effects(kpi, planned)
        if target.direction == "lower":
            assert target.target <= target.baseline
        elif target.direction == "higher":
            assert target.target >= target.baseline
        if not effects:  # nothing this plan adds changes it: hold the baseline
            assert target.target == target.baseline
            continue
        for effect in effects:  # the why names what it counts on, in both languages
            assert effect.technique.en in target.why.en
            assert effect.technique.de in target.why.de
        if isinstance(rule, RelativeTarget):
            # Within the published effects: the planned factors combined, never past the
            # limit (integer KPIs round toward the better side, by less than one).
            factor = math.prod(e.factor or 1 for e in effects)
            if target.direction == "lower":
                bound = target.baseline * max(factor, rule.limit)
                assert target.target >= math.floor(bound) - 1e-9
                assert target.target >= target.baseline * rule.limit - 1
            else:
                bound = target.baseline * min(factor, rule.limit)
                assert target.target <= max(math.ceil(bound), target.baseline + 1)
        elif isinstance(rule, BandTarget):
            assert rule.low <= target.target <= rule.high


@CASES
@given(answers(PLAYBOOK), options(PLAYBOOK))
def test_same_input_gives_the_same_plan(raw, opts):
    assert _plan(raw, opts)[1] == _plan(dict(reversed(list(raw.items()))), opts)[1]


@CASES
@given(answers(PLAYBOOK), options(PLAYBOOK))
def test_every_task_and_target_says_why(raw, opts):
    _, plan = _plan(raw, opts)
    for task in (*plan.tasks, *plan.backlog):
        assert task.why.en
        assert task.why.de
        for question_id in task.answers:
            assert PLAYBOOK.questions[question_id].label.en in task.why.en
    for target in plan.kpi_targets:
        assert "your answer" in target.why.en
