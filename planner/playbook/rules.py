"""Evaluates task conditions against answers: pure, no `eval`, no database.

`holds` returns the comparisons that made a rule true (its witnesses), so that a task can
say which answers selected it; None when the rule does not hold.
"""

from __future__ import annotations

from collections.abc import Mapping

from planner.playbook.schema import AllOf, AnyOf, Compare, Not, Rule

AnswerValue = str | int | float | list[str] | None
Answers = Mapping[str, AnswerValue]


def compare(rule: Compare, answers: Answers) -> bool:
    answer = answers.get(rule.question)
    op, value = rule.op, rule.value
    if op == "answered":
        return answer not in (None, "", [])
    if op == "unanswered":
        return answer in (None, "", [])
    if op in ("includes", "excludes"):
        # An unanswered multiple choice means nothing was picked.
        chosen = answer if isinstance(answer, list) else []
        return (value in chosen) == (op == "includes")
    if answer is None:
        return False  # an unanswered question satisfies no comparison
    if op in ("in", "not_in"):
        options = value if isinstance(value, list) else []
        return (answer in options) == (op == "in")
    if op == "eq":
        return answer == value
    if op == "ne":
        return answer != value
    if isinstance(answer, (int, float)) and isinstance(value, (int, float)):
        return {
            "lt": answer < value,
            "le": answer <= value,
            "gt": answer > value,
            "ge": answer >= value,
        }[op]
    return False


def holds(rule: Rule, answers: Answers) -> list[Compare] | None:
    if isinstance(rule, Compare):
        return [rule] if compare(rule, answers) else None
    if isinstance(rule, AllOf):
        witnesses: list[Compare] = []
        for part in rule.all:
            found = holds(part, answers)
            if found is None:
                return None
            witnesses += found
        return witnesses
    if isinstance(rule, AnyOf):
        for part in rule.any:
            found = holds(part, answers)
            if found is not None:
                return found
        return None
    if isinstance(rule, Not):
        inner = holds(rule.not_, answers)
        return leaves(rule.not_) if inner is None else None
    raise TypeError(f"not a rule: {rule!r}")


def leaves(rule: Rule) -> list[Compare]:
    """Every comparison inside a rule."""
    if isinstance(rule, Compare):
        return [rule]
    if isinstance(rule, AllOf):
        return [leaf for part in rule.all for leaf in leaves(part)]
    if isinstance(rule, AnyOf):
        return [leaf for part in rule.any for leaf in leaves(part)]
    return leaves(rule.not_)
