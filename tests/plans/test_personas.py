"""Golden plans for three teams: manual everything, IaC without monitoring, mature.

The expected plans live in `golden/<persona>.json`. After a deliberate change to the
playbook or the generator, refresh them with `UPDATE_GOLDEN=1 make pytest` and review the
diff like code.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from planner.assessment.answers import validate_answers
from planner.assessment.examples import PERSONAS
from planner.plans.draft import GeneratorOptions, Member, PlanDraft
from planner.plans.generator import generate_plan
from planner.playbook.loader import get_playbook

PLAYBOOK = get_playbook()
GOLDEN = Path(__file__).parent / "golden"
OPTIONS = GeneratorOptions(
    start=date(2027, 3, 1),
    members=(Member(id=1, name="Ada", weekly_hours=8), Member(id=2, name="Ben", weekly_hours=4)),
)


def plan_for(persona: str) -> PlanDraft:
    result = validate_answers(PLAYBOOK, PERSONAS[persona])
    assert result.ok, result.errors
    return generate_plan(PLAYBOOK, result.answers, OPTIONS)


def summary(plan: PlanDraft) -> dict[str, Any]:
    return {
        "playbook_version": plan.playbook_version,
        "maturity": {m.area: f"{m.current} -> {m.target}" for m in plan.maturity},
        "tasks": [f"day {t.day:2d}  member {t.assignee}  {t.task_id}" for t in plan.tasks],
        "kpi_targets": {k.kpi_id: f"{k.baseline:g} -> {k.target:g}" for k in plan.kpi_targets},
    }


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_plan_matches_golden_file(persona: str):
    actual = summary(plan_for(persona))
    path = GOLDEN / f"{persona}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(actual, indent=1) + "\n")
    assert actual == json.loads(path.read_text())


def _ids(plan: PlanDraft) -> set[str]:
    return {t.task_id for t in plan.tasks}


def test_manual_team_builds_everything_from_scratch():
    plan = plan_for("manual")
    ids = _ids(plan)
    assert {
        "infra_terraform_foundation",
        "opt_quantize_gpu",
        "opt_pruning",
        "opt_distillation",
        "mon_prometheus_grafana",
        "test_create_staging",
    } <= ids
    assert not any(PLAYBOOK.task(i).kind == "verify" for i in ids)
    targets = {k.kpi_id: k.target for k in plan.kpi_targets}
    assert targets["avg_latency"] == 144.0  # 240 ms x 0.6
    assert targets["model_size"] == 720.0  # 1800 MB x 0.4
    assert targets["iac_share"] == 90.0
    assert targets["manual_steps"] == 1.0


def test_iac_team_gets_monitoring_but_no_terraform_setup():
    ids = _ids(plan_for("iac_no_monitoring"))
    assert "infra_terraform_foundation" not in ids
    assert "mon_prometheus_grafana" in ids
    assert not ids & {"opt_quantize_gpu", "opt_quantize_dynamic_int8"}  # already quantized
    assert "opt_cpu_rightsizing" in ids  # 35% CPU is below the healthy band


def test_mature_team_only_verifies_and_reviews():
    plan = plan_for("mature")
    kinds = {PLAYBOOK.task(t.task_id).kind for t in plan.tasks}
    assert kinds == {"core", "verify"}
    assert all(m.current == m.target == 4 for m in plan.maturity)


def test_the_three_plans_differ():
    plans = {name: frozenset(_ids(plan_for(name))) for name in PERSONAS}
    assert len(set(plans.values())) == 3


def test_every_why_names_the_answer_that_led_to_it():
    plan = plan_for("manual")
    terraform = next(t for t in plan.tasks if t.task_id == "infra_terraform_foundation")
    assert "iac_tool" in terraform.answers
    label = PLAYBOOK.questions["iac_tool"].label
    assert label.en in terraform.why.en
    assert label.de in terraform.why.de


def test_fourteen_day_variant_fits_its_days():
    result = validate_answers(PLAYBOOK, PERSONAS["manual"])
    plan = generate_plan(PLAYBOOK, result.answers, OPTIONS.model_copy(update={"length": 14}))
    assert max(t.day for t in plan.tasks) <= 14
    assert {t.phase for t in plan.tasks} == {1, 2, 3, 4}
