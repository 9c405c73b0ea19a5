"""How answers read in both languages, for "why" lines and summaries."""

from __future__ import annotations

from planner.playbook.rules import AnswerValue
from planner.playbook.schema import (
    MultipleChoiceQuestion,
    NumberQuestion,
    Question,
    SingleChoiceQuestion,
    Text,
    Unit,
)

# (English, German) unit labels; a count has none.
UNITS: dict[Unit, tuple[str, str]] = {
    "ms": ("ms", "ms"),
    "mb": ("MB", "MB"),
    "percent": ("%", "%"),
    "per_month": ("per month", "pro Monat"),
    "hours": ("hours", "Stunden"),
    "count": ("", ""),
    # A cost in the team's own currency, per 1,000 predictions.
    "cost_per_1k": ("per 1,000 predictions", "pro 1000 Vorhersagen"),
}
NOTHING = Text(en="none", de="keine")


def number_text(value: float, unit: Unit) -> Text:
    shown = f"{value:g}"
    english, german = ("hour", "Stunde") if unit == "hours" and value == 1 else UNITS[unit]
    return Text(en=f"{shown} {english}".strip(), de=f"{shown.replace('.', ',')} {german}".strip())


def answer_text(question: Question, value: AnswerValue) -> Text:
    if value is None or value == []:
        return NOTHING
    if isinstance(question, SingleChoiceQuestion):
        choice = next((c for c in question.choices if c.id == value), None)
        return choice.label if choice else Text(en=str(value), de=str(value))
    if isinstance(question, MultipleChoiceQuestion):
        chosen = [c.label for c in question.choices if isinstance(value, list) and c.id in value]
        return Text(en=", ".join(t.en for t in chosen), de=", ".join(t.de for t in chosen))
    if isinstance(question, NumberQuestion) and isinstance(value, (int, float)):
        return number_text(value, question.unit)
    return Text(en=str(value), de=str(value))
