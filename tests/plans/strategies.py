"""Hypothesis strategies: random valid answers and generator options for the playbook."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import strategies as st

from planner.plans.draft import GeneratorOptions, Member
from planner.playbook.loader import Playbook
from planner.playbook.schema import (
    MultipleChoiceQuestion,
    NumberQuestion,
    SingleChoiceQuestion,
    TextQuestion,
)


@st.composite
def answers(draw: st.DrawFn, playbook: Playbook) -> dict[str, Any]:
    drawn: dict[str, Any] = {}
    for question in playbook.questions.values():
        if not question.required and draw(st.booleans()):
            continue
        if isinstance(question, SingleChoiceQuestion):
            drawn[question.id] = draw(st.sampled_from([c.id for c in question.choices]))
        elif isinstance(question, MultipleChoiceQuestion):
            ids = [c.id for c in question.choices]
            drawn[question.id] = draw(st.lists(st.sampled_from(ids), unique=True))
        elif isinstance(question, NumberQuestion):
            if question.integer:
                value: float = draw(st.integers(int(question.minimum), int(question.maximum)))
            else:
                value = draw(st.floats(question.minimum, question.maximum, allow_nan=False))
            drawn[question.id] = value
        elif isinstance(question, TextQuestion):
            drawn[question.id] = draw(st.text(max_size=40))
    for constraint in playbook.questionnaire.constraints:
        low, high = drawn.get(constraint.other), drawn.get(constraint.question)
        if low is not None and high is not None and high < low:
            drawn[constraint.question], drawn[constraint.other] = low, high
    return drawn


@st.composite
def options(draw: st.DrawFn, playbook: Playbook) -> GeneratorOptions:
    optional_areas = [a.id for a in playbook.questionnaire.areas if not a.always_applies]
    members = draw(
        st.lists(
            st.builds(
                Member,
                id=st.integers(1, 10_000),
                name=st.just("m"),
                weekly_hours=st.floats(1, 40, allow_nan=False),
            ),
            max_size=12,
            unique_by=lambda m: m.id,
        )
    )
    open_seats = draw(st.lists(st.floats(1, 40, allow_nan=False), max_size=12 - len(members)))
    if not members and not open_seats:
        open_seats = [draw(st.floats(1, 40, allow_nan=False))]
    return GeneratorOptions(
        start=draw(st.dates(date(2026, 1, 1), date(2030, 12, 31))),
        length=draw(st.sampled_from([14, 30])),
        targets=draw(
            st.dictionaries(
                st.sampled_from([a.id for a in playbook.questionnaire.areas]),
                st.integers(0, 4),
            )
        ),
        not_applicable=frozenset(draw(st.lists(st.sampled_from(optional_areas), unique=True))),
        members=tuple(members),
        open_seats=tuple(open_seats),
    )
