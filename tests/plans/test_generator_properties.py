"""Properties of every generated plan, over random valid answers and options."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from planner.assessment.answers import validate_answers
from planner.plans.draft import GeneratorOptions
from planner.plans.generator import generate_plan
from planner.playbook.loader import get_playbook
from planner.playbook.rules import holds
from tests.plans.strategies import answers, options

PLAYBOOK = get_playbook()
CASES = settings(max_examples=150, deadline=None)


def _plan(raw: dict[str, Any], opts: GeneratorOptions):
    result = validate_answers(PLAYBOOK, raw, not_applicable=opts.not_applicable)
    assert result.ok, result.errors
    return result.answers, generate_plan(PLAYBOOK, result.answers, opts)


@CASES
@given(answers(PLAYBOOK), options(PLAYBOOK))
def test_every_phase_has_tasks_and_every_day_is_inside_its_phase(raw, opts):
    _, plan = _plan(raw, opts)
    phases_used = {task.phase for task in plan.tasks}
    assert phases_used == {1, 2, 3, 4}
    for task in plan.tasks:
        first, last = plan.phases[task.phase - 1]
        assert first <= task.day <= last <= opts.length


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
def test_prerequisites_come_first(raw, opts):
    _, plan = _plan(raw, opts)
    position = {task.task_id: index for index, task in enumerate(plan.tasks)}
    day = {task.task_id: task.day for task in plan.tasks}
    for task in plan.tasks:
        for prerequisite in task.prerequisites:
            assert position[prerequisite] < position[task.task_id]
            assert day[prerequisite] <= day[task.task_id]


@CASES
@given(answers(PLAYBOOK), options(PLAYBOOK))
def test_kpi_targets_move_in_the_better_direction(raw, opts):
    _, plan = _plan(raw, opts)
    for target in plan.kpi_targets:
        if target.direction == "lower":
            assert target.target <= target.baseline
        elif target.direction == "higher":
            assert target.target >= target.baseline
        else:
            kpi = next(k for k in PLAYBOOK.kpis if k.id == target.kpi_id)
            assert kpi.target.low <= target.target <= kpi.target.high  # type: ignore[union-attr]


@CASES
@given(answers(PLAYBOOK), options(PLAYBOOK))
def test_same_input_gives_the_same_plan(raw, opts):
    assert _plan(raw, opts)[1] == _plan(dict(reversed(list(raw.items()))), opts)[1]


@CASES
@given(answers(PLAYBOOK), options(PLAYBOOK))
def test_work_is_balanced_across_members(raw, opts):
    _, plan = _plan(raw, opts)
    if not opts.members:
        assert all(task.assignee is None for task in plan.tasks)
        return
    hours = {m.id: m.weekly_hours for m in opts.members}
    load = dict.fromkeys(hours, 0.0)
    for task in plan.tasks:
        assert task.assignee in hours
        load[task.assignee] += task.effort_hours
    normalised = [load[m] / hours[m] for m in hours]
    largest = max((t.effort_hours for t in plan.tasks), default=0)
    # Greedy least-loaded assignment: spreads differ by at most one task's share.
    assert max(normalised) - min(normalised) <= largest / min(hours.values()) + 1e-9


@CASES
@given(answers(PLAYBOOK), options(PLAYBOOK))
def test_every_task_and_target_says_why(raw, opts):
    _, plan = _plan(raw, opts)
    for task in plan.tasks:
        assert task.why.en
        assert task.why.de
        for question_id in task.answers:
            assert PLAYBOOK.questions[question_id].label.en in task.why.en
    for target in plan.kpi_targets:
        assert "your answer" in target.why.en
