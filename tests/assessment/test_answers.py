"""Answers are validated against the questionnaire, each error at its question."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from planner.assessment.answers import validate_answers
from planner.playbook.loader import get_playbook

PLAYBOOK = get_playbook()


def complete(**overrides: Any) -> dict[str, Any]:
    """A full, valid set of answers: a team that does most things by hand."""
    answers: dict[str, Any] = {
        "environments": "dev_prod",
        "deploy_method": "scripts",
        "deployments_per_month": 2,
        "lead_time_hours": 72,
        "rollback": "manual",
        "iac_tool": "none",
        "iac_share_pct": 10,
        "manual_steps_per_deploy": 14,
        "drift": "unknown",
        "model_size_mb": 1200,
        "avg_latency_ms": 180,
        "p95_latency_ms": 420,
        "techniques": [],
        "serving_hardware": "gpu",
        "gpu_utilisation_pct": 25,
        "monitoring_in_place": ["logs"],
        "monitoring_stack": "none",
        "monitoring_coverage_pct": 0,
        "hours_to_detect": 48,
        "staging_parity": "no_staging",
        "model_tests": ["unit"],
        "documentation_level": "wiki_partial",
        "kpis_defined": [],
        "kpi_review": "never",
        "team_size": 4,
        "hours_per_week": 6,
    }
    answers.update(overrides)
    return answers


def test_complete_answers_are_valid():
    result = validate_answers(PLAYBOOK, complete())
    assert result.ok, result.errors
    assert result.answers["avg_latency_ms"] == 180.0
    assert result.answers["cpu_utilisation_pct"] is None


def test_form_strings_are_parsed():
    result = validate_answers(PLAYBOOK, complete(team_size="5", avg_latency_ms="12.5", notes=""))
    assert result.ok, result.errors
    assert result.answers["team_size"] == 5
    assert result.answers["notes"] is None


@pytest.mark.parametrize(
    ("overrides", "question", "message"),
    [
        ({"nonsense": 1}, "nonsense", "There is no such question."),
        ({"iac_tool": "chef"}, "iac_tool", "Choose one of the offered answers."),
        ({"techniques": ["pruning", "magic"]}, "techniques", "Choose one of the offered answers."),
        ({"techniques": ["pruning", "pruning"]}, "techniques", "Each choice may be picked once."),
        ({"iac_share_pct": 140}, "iac_share_pct", "Enter a number of at most 100."),
        ({"iac_share_pct": -1}, "iac_share_pct", "Enter a number of at least 0."),
        ({"team_size": 2.5}, "team_size", "Enter a whole number."),
        ({"avg_latency_ms": "fast"}, "avg_latency_ms", "Enter a number."),
        ({"iac_tool": None}, "iac_tool", "Answer this question."),
        ({"notes": "x" * 2001}, "notes", "Use at most 2000 characters."),
        (
            {"p95_latency_ms": 100},
            "p95_latency_ms",
            "The p95 latency cannot be below the average latency.",
        ),
    ],
)
def test_bad_answers_get_a_message_at_their_question(overrides, question, message):
    result = validate_answers(PLAYBOOK, complete(**overrides))
    assert not result.ok
    assert message in result.errors[question]


def test_missing_required_answer_is_named():
    answers = complete()
    del answers["model_size_mb"]
    assert validate_answers(PLAYBOOK, answers).errors == {
        "model_size_mb": ["Answer this question."]
    }


def test_not_applicable_area_needs_no_answers_and_drops_given_ones():
    answers = {
        k: v
        for k, v in complete().items()
        if k not in PLAYBOOK.questions or PLAYBOOK.question_area(k) != "optimisation"
    }
    assert not validate_answers(PLAYBOOK, answers).ok
    result = validate_answers(
        PLAYBOOK, {**answers, "avg_latency_ms": "junk"}, not_applicable=frozenset({"optimisation"})
    )
    assert result.ok, result.errors
    assert "avg_latency_ms" not in result.answers


def test_messages_follow_the_active_language():
    with translation.override("de"):
        range_error = validate_answers(PLAYBOOK, complete(iac_share_pct=140))
        constraint_error = validate_answers(PLAYBOOK, complete(p95_latency_ms=1))
    assert range_error.errors["iac_share_pct"] == ["Geben Sie eine Zahl von höchstens 100 ein."]
    assert "p95-Latenz" in constraint_error.errors["p95_latency_ms"][0]
