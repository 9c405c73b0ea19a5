"""The playbook files load, and a broken one fails with file, entry and field named."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from planner.playbook.loader import DATA_DIR, PlaybookError, get_playbook, load_playbook

GOALS = "tasks/goals.yaml"


def test_shipped_playbook_is_valid_and_complete():
    playbook = get_playbook()
    assert len(playbook.tasks) >= 40
    kinds = {(t.area, t.kind) for t in playbook.tasks}
    for area in (
        "deployment",
        "infrastructure",
        "optimisation",
        "monitoring",
        "testing",
        "documentation",
    ):
        assert (area, "build") in kinds
        assert (area, "verify") in kinds
    assert {k.id for k in playbook.kpis} >= {
        "avg_latency",
        "p95_latency",
        "model_size",
        "cpu_utilisation",
        "gpu_utilisation",
        "iac_share",
        "manual_steps",
        "lead_time",
        "monitoring_coverage",
        "time_to_detect",
    }
    assert set(playbook.layouts) == {14, 30}


def test_every_text_has_german_with_swiss_spelling():
    for path in DATA_DIR.rglob("*.yaml"):
        assert "ß" not in path.read_text(encoding="utf-8"), path.name


@pytest.fixture
def data(tmp_path: Path):
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)

    def edit(name: str, change) -> Path:
        path = copy / name
        content: Any = yaml.safe_load(path.read_text())
        change(content)
        path.write_text(yaml.safe_dump(content, allow_unicode=True))
        return copy

    return edit


def _problems(directory: Path) -> str:
    with pytest.raises(PlaybookError) as error:
        load_playbook(directory)
    return str(error.value)


def test_missing_field_names_file_entry_and_field(data):
    first_id = yaml.safe_load((DATA_DIR / GOALS).read_text())["tasks"][0]["id"]
    directory = data(GOALS, lambda c: c["tasks"][0].pop("evidence"))
    assert f"{GOALS}: tasks[0] (id: {first_id}).evidence: Field required" in _problems(directory)


def test_missing_german_text_is_named(data):
    directory = data(
        "questionnaire.yaml", lambda c: c["sections"][0]["questions"][0]["label"].pop("de")
    )
    assert "questionnaire.yaml: sections[0] (id: deployment).questions[0]" in _problems(directory)
    assert "label.de: Field required" in _problems(directory)


def test_unknown_prerequisite_is_named(data):
    def change(content: Any) -> None:
        content["tasks"][3]["prerequisites"] = ["no_such_task"]

    problems = _problems(data(GOALS, change))
    assert "unknown prerequisite 'no_such_task'" in problems


def test_prerequisite_cycle_is_refused(data):
    def change(content: Any) -> None:
        first, second = content["tasks"][0], content["tasks"][1]
        second["phase"] = first["phase"]
        first["prerequisites"] = [second["id"]]
        second["prerequisites"] = [first["id"]]

    assert "prerequisites form a cycle" in _problems(data(GOALS, change))


def test_condition_on_unknown_choice_is_refused(data):
    def change(content: Any) -> None:
        content["tasks"][0]["when"] = {"question": "iac_tool", "op": "eq", "value": "chef"}

    assert "iac_tool has no choice 'chef'" in _problems(data(GOALS, change))


def test_condition_with_wrong_operator_for_the_type_is_refused(data):
    def change(content: Any) -> None:
        content["tasks"][0]["when"] = {"question": "iac_share_pct", "op": "includes", "value": "x"}

    assert "iac_share_pct is a number" in _problems(data(GOALS, change))


def test_latency_target_that_would_worsen_is_refused(data):
    def change(content: Any) -> None:
        kpi = next(k for k in content["kpis"] if k["id"] == "avg_latency")
        kpi["target"]["effects"][0]["factor"] = 1.5

    problems = _problems(data("kpis.yaml", change))
    assert "lower-is-better KPI needs factors and a limit below 1" in problems


def test_an_effect_counting_on_an_unknown_task_is_refused(data):
    def change(content: Any) -> None:
        kpi = next(k for k in content["kpis"] if k["id"] == "avg_latency")
        kpi["target"]["effects"][0]["tasks"] = ["opt_magic"]

    problems = _problems(data("kpis.yaml", change))
    assert "KPI avg_latency: effect 'int8 dynamic quantization': unknown task 'opt_magic'" in (
        problems
    )


def test_an_absolute_target_s_effect_has_no_factor(data):
    def change(content: Any) -> None:
        kpi = next(k for k in content["kpis"] if k["id"] == "iac_share")
        kpi["target"]["effects"][0]["factor"] = 0.5

    problems = _problems(data("kpis.yaml", change))
    assert "only the effects of a relative target have a factor" in problems


def test_broken_yaml_is_named(data, tmp_path: Path):
    directory = data("plan.yaml", lambda c: None)
    (directory / "plan.yaml").write_text("version: [unclosed")
    assert "plan.yaml: not valid YAML" in _problems(directory)


def test_playbook_is_loaded_once_at_start_up():
    # PlaybookConfig.ready() loaded it while Django started, before any test ran.
    assert get_playbook.cache_info().currsize == 1
    assert get_playbook() is get_playbook()


def test_a_task_waiting_in_its_phase_for_an_anchored_one_is_refused(data):
    def change(content: Any) -> None:
        tasks = {t["id"]: t for t in content["tasks"]}
        tasks["goals_record_baselines"]["anchor"] = "phase_end"
        tasks["goals_cost_kpi"]["prerequisites"] = ["goals_record_baselines"]

    problems = _problems(data(GOALS, change))
    assert "task goals_cost_kpi: its prerequisite 'goals_record_baselines' ends on" in problems


def test_a_chain_longer_than_its_phase_in_any_layout_is_refused(data):
    def change(content: Any) -> None:
        in_phase_one = [t for t in content["tasks"] if t["phase"] == 1][:4]
        for before, after in itertools.pairwise(in_phase_one):
            after["prerequisites"] = [before["id"]]
            before.pop("anchor", None)
        in_phase_one[-1].pop("anchor", None)

    problems = _problems(data(GOALS, change))
    assert "its chain of 4 tasks in phase 1 needs more days than the 14-day plan's" in problems
    assert "30-day" not in problems


def test_a_task_file_not_named_after_an_area_is_refused(data):
    directory = data(GOALS, lambda c: None)
    (directory / "tasks" / "goals.yaml").rename(directory / "tasks" / "targets.yaml")
    problems = _problems(directory)
    assert "tasks/targets.yaml: not named after an area" in problems


def test_a_task_in_another_area_s_file_is_refused(data):
    def change(content: Any) -> None:
        content["tasks"][0]["area"] = "testing"

    problems = _problems(data(GOALS, change))
    assert "tasks/goals.yaml: task goals_review_strategy: belongs to area 'testing'" in problems


def test_a_capability_stands_for_every_task_that_provides_it():
    playbook = get_playbook()
    staging = playbook.task("test_create_staging")
    providers = [t.id for t in playbook.tasks if "iac_foundation" in t.provides]
    assert len(providers) >= 2
    assert set(providers) <= set(staging.prerequisites)
    assert "iac_foundation" not in staging.prerequisites


def test_a_capability_nobody_provides_is_an_unknown_prerequisite(data):
    def change(content: Any) -> None:
        content["tasks"][3]["prerequisites"] = ["no_such_capability"]

    assert "unknown prerequisite 'no_such_capability'" in _problems(data(GOALS, change))


def test_a_capability_named_like_a_task_is_refused(data):
    def change(content: Any) -> None:
        content["tasks"][1]["provides"] = [content["tasks"][0]["id"]]

    problems = _problems(data(GOALS, change))
    assert "capability 'goals_review_strategy' has the name of a task" in problems


def test_no_task_text_assumes_the_30_day_calendar():
    # The 14-day plan holds the same tasks in phases of three or four days.
    calendar = re.compile(
        r"\bday 30\b|\bdays? \d+[-–]\d+\b|\bweek (two|three|four|\d)\b|\bthis month\b"
        r"|\bTag 30\b|\bTage \d+[-–]\d+\b|\bWoche (zwei|drei|vier|\d)\b|\bdiesen Monat\b",
        re.IGNORECASE,
    )
    for task in get_playbook().tasks:
        texts = [task.title, task.description, task.why, task.evidence, *task.steps]
        for text in texts:
            for words in (text.en, text.de):
                assert not calendar.search(words), (task.id, words)
