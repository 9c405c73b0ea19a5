"""Why lines name the gap behind a task, in both languages: what is missing, not what the
team already has."""

from __future__ import annotations

from planner.assessment.answers import validate_answers
from planner.assessment.examples import IAC_NO_MONITORING, MANUAL
from planner.plans.draft import PlanDraft
from planner.plans.generator import generate_plan
from planner.playbook.loader import get_playbook
from tests.plans.test_personas import options

PLAYBOOK = get_playbook()


def _plan(raw: dict[str, object], persona: str) -> PlanDraft:
    result = validate_answers(PLAYBOOK, raw)
    assert result.ok, result.errors
    # Room for everything: the why lines of the backlog read the same.
    opts = options(persona).model_copy(update={"open_seats": (40.0,) * 4})
    return generate_plan(PLAYBOOK, result.answers, opts)


def _why(plan: PlanDraft, task_id: str):
    return next(t for t in (*plan.tasks, *plan.backlog) if t.task_id == task_id).why


def test_pruning_names_the_missing_technique_not_the_one_in_use():
    why = _why(_plan(IAC_NO_MONITORING, "iac_no_monitoring"), "opt_pruning")
    assert "You did not pick «Pruning» for «Which optimisation techniques" in why.en
    assert "«Quantization" not in why.en
    assert "haben Sie «Pruning» nicht gewählt" in why.de


def test_an_area_gap_names_what_is_missing_from_a_multiple_choice():
    why = _why(_plan(IAC_NO_MONITORING, "iac_no_monitoring"), "opt_benchmark_baseline")
    assert "«Model size and optimisation» at level 1 of 4; the target is level 2" in why.en
    assert "You picked none of «Pruning»" in why.en
    assert "«Quantization" not in why.en
    assert "Nach Ihren Antworten steht «Modellgrösse und Optimierung» auf Stufe 1" in why.de
    assert "haben Sie weder «Pruning»" in why.de


def test_german_why_lines_read_as_german():
    plan = _plan(MANUAL, "manual")
    for task in (*plan.tasks, *plan.backlog):
        assert "Ihre Antwort:" not in task.why.de
        assert "Ihre Antworten ergeben" not in task.why.de
        assert "You " not in task.why.de
