"""The condition language: comparisons, all/any/not, and the answers that made a rule hold."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from planner.playbook.rules import AnswerValue, holds
from planner.playbook.schema import Rule

RULE: TypeAdapter[Rule] = TypeAdapter(Rule)


def rule(data: object) -> Rule:
    return RULE.validate_python(data)


ANSWERS: dict[str, AnswerValue] = {
    "iac_tool": "none",
    "iac_share_pct": 20.0,
    "techniques": ["pruning"],
    "notes": "",
}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"question": "iac_tool", "op": "eq", "value": "none"}, True),
        ({"question": "iac_tool", "op": "ne", "value": "none"}, False),
        ({"question": "iac_tool", "op": "in", "value": ["none", "other"]}, True),
        ({"question": "iac_tool", "op": "not_in", "value": ["none"]}, False),
        ({"question": "iac_share_pct", "op": "lt", "value": 80}, True),
        ({"question": "iac_share_pct", "op": "ge", "value": 20}, True),
        ({"question": "iac_share_pct", "op": "gt", "value": 20}, False),
        ({"question": "techniques", "op": "includes", "value": "pruning"}, True),
        ({"question": "techniques", "op": "excludes", "value": "quantization"}, True),
        ({"question": "notes", "op": "answered"}, False),
        ({"question": "missing", "op": "unanswered"}, True),
        ({"question": "missing", "op": "lt", "value": 5}, False),
        ({"question": "missing", "op": "excludes", "value": "pruning"}, True),
        ({"question": "missing", "op": "includes", "value": "pruning"}, False),
    ],
)
def test_comparisons(data, expected):
    assert (holds(rule(data), ANSWERS) is not None) is expected


def test_all_needs_every_part_and_names_every_answer():
    found = holds(
        rule(
            {
                "all": [
                    {"question": "iac_tool", "op": "eq", "value": "none"},
                    {"question": "iac_share_pct", "op": "lt", "value": 50},
                ]
            }
        ),
        ANSWERS,
    )
    assert found is not None
    assert [c.question for c in found] == ["iac_tool", "iac_share_pct"]


def test_any_names_the_branch_that_held():
    found = holds(
        rule(
            {
                "any": [
                    {"question": "iac_tool", "op": "eq", "value": "terraform"},
                    {"question": "techniques", "op": "includes", "value": "pruning"},
                ]
            }
        ),
        ANSWERS,
    )
    assert found is not None
    assert [c.question for c in found] == ["techniques"]


def test_not_inverts():
    assert (
        holds(rule({"not": {"question": "iac_tool", "op": "eq", "value": "none"}}), ANSWERS) is None
    )
    assert holds(rule({"not": {"question": "iac_tool", "op": "eq", "value": "x"}}), ANSWERS) == [
        rule({"question": "iac_tool", "op": "eq", "value": "x"})
    ]


def test_rules_are_data_never_code():
    with pytest.raises(ValueError, match="op"):
        rule({"question": "iac_tool", "op": "__import__('os')", "value": 1})
