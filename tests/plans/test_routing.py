"""Each team is sent to the tools it uses: its IaC tool, its monitoring stack, its platform.

Pure: answers from the example teams with one answer changed, through the generator. A
task counts whether it is planned or waits in the backlog; what a team reads in either
must not name a tool it does not use.
"""

from __future__ import annotations

import importlib
from datetime import date
from typing import Any

import pytest
from django.apps import apps

from planner.assessment.answers import validate_answers
from planner.assessment.examples import IAC_NO_MONITORING, MANUAL
from planner.assessment.models import Assessment
from planner.plans.draft import GeneratorOptions, Member
from planner.plans.generator import generate_plan
from planner.playbook.loader import get_playbook
from planner.playbook.schema import SingleChoiceQuestion

PLAYBOOK = get_playbook()
OPTIONS = GeneratorOptions(
    start=date(2027, 3, 1),
    length=30,
    members=(Member(id=1, name="Ada", weekly_hours=6), Member(id=2, name="Ben", weekly_hours=6)),
)
ROUTED_AREAS = {"infrastructure", "monitoring", "documentation"}


def choice_ids(question_id: str) -> list[str]:
    question = PLAYBOOK.questions[question_id]
    assert isinstance(question, SingleChoiceQuestion)
    return [choice.id for choice in question.choices]


IAC_TOOLS = choice_ids("iac_tool")
STACKS = choice_ids("monitoring_stack")
# Words that only belong in the plan of a team that uses the tool.
IAC_USERS = {
    "terraform": {"none", "terraform", "opentofu"},
    "tofu": {"none", "terraform", "opentofu"},
    # The CDK deploys through CloudFormation, and a team without a tool chooses between both.
    "cloudformation": {"none", "cloudformation", "cdk"},
    "cdk": {"none", "cdk"},
    "pulumi": {"pulumi"},
    "ansible": {"ansible"},
}
STACK_WORDS = {
    "prometheus": {"none", "prometheus_grafana"},
    "grafana": {"none", "prometheus_grafana"},
    "datadog": {"datadog"},
    "kibana": {"elastic"},
    "elastic apm": {"elastic"},
    "cloudwatch": {"cloud_native"},
}
# What only a pulled (scraped) model service needs.
SCRAPING_WORDS = (
    "scrape target",
    "scrape configuration",
    "servicemonitor",
    "/metrics",
    "scrape it",
)


def selected(raw: dict[str, Any]) -> dict[str, Any]:
    """Every task the team's plan holds, planned or in the backlog, by id."""
    result = validate_answers(PLAYBOOK, raw)
    assert result.ok, result.errors
    plan = generate_plan(PLAYBOOK, result.answers, OPTIONS)
    return {task.task_id: task for task in (*plan.tasks, *plan.backlog)}


def text(task: Any) -> str:
    """What a team reads of a task, both languages, lower case."""
    parts = [task.title, task.description, task.evidence, *task.steps]
    return " ".join(f"{part.en} {part.de}" for part in parts).lower()


def routed(tasks: dict[str, Any]) -> dict[str, Any]:
    return {i: t for i, t in tasks.items() if t.area in ROUTED_AREAS}


def providers(tasks: dict[str, Any], capability: str) -> set[str]:
    return {i for i in tasks if capability in PLAYBOOK.task(i).provides}


@pytest.mark.parametrize("tool", IAC_TOOLS)
def test_iac_tasks_name_only_the_teams_tool(tool: str):
    tasks = routed(selected({**MANUAL, "iac_tool": tool}))
    for word, users in IAC_USERS.items():
        if tool not in users:
            named = [i for i, t in tasks.items() if word in text(t)]
            assert not named, f"{tool} team reads {word!r} in {named}"


@pytest.mark.parametrize("tool", IAC_TOOLS)
def test_every_tool_gets_one_foundation_one_import_and_one_pipeline(tool: str):
    tasks = selected({**MANUAL, "iac_tool": tool})
    for capability in ("iac_foundation", "iac_import", "iac_pipeline", "drift_detection"):
        assert len(providers(tasks, capability)) == 1, (tool, capability)


def test_a_pulumi_team_imports_with_pulumi_not_terraform():
    tasks = selected({**MANUAL, "iac_tool": "pulumi"})
    assert "infra_pulumi_import" in tasks
    assert not any("terraform import" in text(t) for t in tasks.values())


def test_choosing_the_iac_tool_never_asks_to_change_the_answer():
    task = selected(MANUAL)["infra_choose_iac_tool"]
    words = text(task)
    for phrase in ("self-assessment", "questionnaire", "selbsteinschätzung", "fragebogen"):
        assert phrase not in words
    assert "decision record" in words


def test_pipelines_apply_what_was_planned_from_the_merged_commit():
    for tool, pipeline in (
        ("terraform", "infra_terraform_pipeline"),
        ("cloudformation", "infra_cloudformation_pipeline"),
        ("cdk", "infra_cdk_pipeline"),
        ("pulumi", "infra_pulumi_pipeline"),
        ("ansible", "infra_ansible_pipeline"),
        ("other", "infra_other_pipeline"),
    ):
        task = selected({**MANUAL, "iac_tool": tool})[pipeline]
        assert "merged commit" in task.description.en, tool
        assert "gemergten Commit" in task.description.de, tool


@pytest.mark.parametrize("stack", STACKS)
def test_monitoring_tasks_name_only_the_teams_stack(stack: str):
    tasks = routed(selected({**IAC_NO_MONITORING, "monitoring_stack": stack}))
    for word, users in STACK_WORDS.items():
        if stack not in users:
            named = [i for i, t in tasks.items() if word in text(t)]
            assert not named, f"{stack} team reads {word!r} in {named}"


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_instruments_the_model_once(stack: str):
    tasks = selected({**IAC_NO_MONITORING, "monitoring_stack": stack})
    assert len(providers(tasks, "model_metrics")) == 1


@pytest.mark.parametrize("stack", ["datadog", "elastic", "opentelemetry", "other"])
def test_a_team_with_a_stack_gets_no_second_one(stack: str):
    tasks = selected({**MANUAL, "monitoring_stack": stack})
    assert not {"mon_prometheus_grafana", "mon_prometheus_grafana_push"} & set(tasks)
    assert "mon_stack_storage_sso" not in tasks


def test_a_cloud_native_team_gets_one_instrumentation_task():
    tasks = selected({**MANUAL, "monitoring_stack": "cloud_native"})
    assert providers(tasks, "model_metrics") == {"mon_cloud_native_metrics"}
    assert "mon_instrument_model" not in tasks


@pytest.mark.parametrize(
    "answers",
    [
        {"serving_platform": "serverless"},
        {"serving_hardware": "serverless", "gpu_utilisation_pct": None},
    ],
)
@pytest.mark.parametrize("stack", STACKS)
def test_a_serverless_team_pushes_and_is_never_scraped(answers: dict[str, Any], stack: str):
    tasks = selected({**MANUAL, **answers, "monitoring_stack": stack})
    scraping = [
        i for i, t in routed(tasks).items() if any(word in text(t) for word in SCRAPING_WORDS)
    ]
    assert not scraping
    assert not {"mon_instrument_model", "mon_prometheus_grafana"} & set(tasks)


def test_a_team_without_a_stack_gets_the_articles_prometheus_and_grafana():
    tasks = selected(MANUAL)
    assert {"mon_instrument_model", "mon_prometheus_grafana"} <= set(tasks)
    serverless = selected({**MANUAL, "serving_platform": "serverless"})
    assert {"mon_instrument_model_push", "mon_prometheus_grafana_push"} <= set(serverless)


def test_the_early_metrics_come_in_the_second_phase():
    for task_id in providers(selected(MANUAL), "model_metrics"):
        assert PLAYBOOK.task(task_id).phase == 2


def test_gpu_metrics_use_the_profiling_metrics():
    task = selected(MANUAL)["mon_gpu_metrics"]
    assert "DCGM_FI_PROF_GR_ENGINE_ACTIVE" in task.description.en
    assert "DCGM_FI_PROF_SM_ACTIVE" in task.description.en


def test_every_routed_task_says_what_its_estimate_assumes():
    for task in PLAYBOOK.tasks:
        if task.area in ROUTED_AREAS:
            assert task.effort_basis is not None, task.id


def test_routed_texts_speak_of_phases_not_of_days_or_weeks():
    banned = ("day 30", "week two", "this month", "week 2", "tag 30", "diesen monat")
    for task in PLAYBOOK.tasks:
        if task.area in ROUTED_AREAS:
            words = " ".join(
                f"{t.en} {t.de}" for t in (task.title, task.description, task.why, *task.steps)
            ).lower()
            assert not [b for b in banned if b in words], task.id


# --- The migration that fills in serving_platform -----------------------------------------

migration = importlib.import_module(
    "planner.assessment.migrations.0002_serving_platform_from_hardware"
)


@pytest.mark.django_db
def test_migration_sets_a_serverless_platform_for_serverless_hardware(team: Any):
    serverless = Assessment.objects.create(
        team=team, playbook_version="2026.1", answers={**MANUAL, "serving_hardware": "serverless"}
    )
    migration.set_serving_platform(apps, None)
    serverless.refresh_from_db()
    assert serverless.answers["serving_platform"] == "serverless"
    assert serverless.answers["iac_tool"] == MANUAL["iac_tool"]


@pytest.mark.django_db
def test_migration_keeps_other_answers_and_a_chosen_platform(team: Any, lead: Any):
    gpu = Assessment.objects.create(team=team, playbook_version="2026.1", answers=dict(MANUAL))
    chosen = Assessment.objects.create(
        team=team,
        playbook_version="2026.1",
        completed_at=gpu.created_at,
        answers={**MANUAL, "serving_hardware": "serverless", "serving_platform": "kubernetes"},
    )
    migration.set_serving_platform(apps, None)
    gpu.refresh_from_db()
    chosen.refresh_from_db()
    assert "serving_platform" not in gpu.answers
    assert chosen.answers["serving_platform"] == "kubernetes"


def test_stored_answers_with_the_old_other_choices_stay_valid():
    raw = {**MANUAL, "iac_tool": "other", "monitoring_stack": "other"}
    assert validate_answers(PLAYBOOK, raw).ok
