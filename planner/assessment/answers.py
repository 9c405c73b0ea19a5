"""Answers to the questionnaire, validated by a pydantic model built from the questionnaire.

The model is the single source of truth for every path that takes answers (wizard, API,
tests): unknown question or choice ids, numbers out of range or of the wrong type, missing
required answers, oversized text and the questionnaire's cross-field constraints (p95 not
below the average) are all refused here, each error attached to its question.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from planner.playbook.loader import Playbook
from planner.playbook.rules import AnswerValue
from planner.playbook.schema import (
    MultipleChoiceQuestion,
    NumberQuestion,
    Question,
    SingleChoiceQuestion,
    TextQuestion,
)


def _blank_to_none(value: object) -> object:
    return None if value == "" else value


def _present(value: object) -> object:
    """A required answer left blank reads as missing, not as a wrong choice."""
    if value is None or value == "" or value == []:
        raise PydanticCustomError("missing", "Answer this question.")
    return value


def _unique(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise PydanticCustomError("duplicate_choice", "Each choice may be picked once.")
    return values


def _field(question: Question, required: bool) -> tuple[Any, Any]:
    annotation: Any
    if isinstance(question, SingleChoiceQuestion):
        annotation = Literal[tuple(c.id for c in question.choices)]
    elif isinstance(question, MultipleChoiceQuestion):
        item: Any = Literal[tuple(c.id for c in question.choices)]
        annotation = Annotated[
            list[item],  # built from data at run time
            Field(max_length=len(question.choices)),
            AfterValidator(_unique),
        ]
    elif isinstance(question, NumberQuestion):
        number = int if question.integer else float
        annotation = Annotated[number, Field(ge=question.minimum, le=question.maximum)]
    elif isinstance(question, TextQuestion):
        annotation = Annotated[str, Field(max_length=question.max_length)]
    else:  # pragma: no cover - the schema's union is closed
        raise TypeError(question)
    if isinstance(question, TextQuestion):
        annotation = Annotated[
            annotation, BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v)
        ]
    if required:
        return Annotated[annotation, BeforeValidator(_present)], ...
    if isinstance(question, MultipleChoiceQuestion):
        # Nothing picked is an answer too: an empty list, never None.
        return Annotated[annotation, BeforeValidator(lambda v: [] if v in (None, "") else v)], []
    return Annotated[annotation | None, BeforeValidator(_blank_to_none)], None


@lru_cache(maxsize=128)
def answers_model(
    playbook: Playbook, not_applicable: frozenset[str], section: str | None = None
) -> type[BaseModel]:
    """The model for answers when the areas in `not_applicable` are left out.

    With `section`, only that wizard step's questions (and constraints among them).
    """
    fields: dict[str, Any] = {}
    for each in playbook.questionnaire.sections:
        if each.area in not_applicable or (section is not None and each.id != section):
            continue
        for question in each.questions:
            fields[question.id] = _field(question, question.required)
    constraints = [
        c for c in playbook.questionnaire.constraints if c.question in fields and c.other in fields
    ]

    def check_constraints(model: BaseModel) -> BaseModel:
        for constraint in constraints:
            value, other = getattr(model, constraint.question), getattr(model, constraint.other)
            if value is not None and other is not None and value < other:
                raise PydanticCustomError(
                    "at_least",
                    "{question} must be at least {other}",
                    {"question": constraint.question, "other": constraint.other},
                )
        return model

    validators: dict[str, Any] = {"constraints": model_validator(mode="after")(check_constraints)}
    model: type[BaseModel] = create_model(
        "Answers",
        __config__=ConfigDict(extra="forbid", frozen=True),
        __validators__=validators,
        **fields,
    )
    return model


@dataclass(frozen=True)
class AnswersResult:
    answers: dict[str, AnswerValue]
    errors: dict[str, list[str]]

    @property
    def ok(self) -> bool:
        return not self.errors


def _message(playbook: Playbook, error: Any) -> tuple[str, str]:
    """The question an error belongs to, and a message for the user in the active language."""
    kind, loc, ctx = error["type"], error["loc"], error.get("ctx") or {}
    question_id = str(loc[0]) if loc else str(ctx.get("question", ""))
    if kind == "at_least":
        constraint = next(
            c for c in playbook.questionnaire.constraints if c.question == ctx["question"]
        )
        return question_id, constraint.message.get(get_language() or "en")
    messages = {
        "missing": _("Answer this question."),
        "extra_forbidden": _("There is no such question."),
        "literal_error": _("Choose one of the offered answers."),
        "int_parsing": _("Enter a whole number."),
        "int_from_float": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "float_parsing": _("Enter a number."),
        "float_type": _("Enter a number."),
        "finite_number": _("Enter a number."),
        "list_type": _("Choose from the offered answers."),
        "string_type": _("Enter text."),
        "duplicate_choice": _("Each choice may be picked once."),
        "too_long": _("Choose fewer answers."),
    }
    if kind == "greater_than_equal":
        return question_id, _("Enter a number of at least %(limit)s.") % {
            "limit": _number(ctx["ge"])
        }
    if kind == "less_than_equal":
        return question_id, _("Enter a number of at most %(limit)s.") % {
            "limit": _number(ctx["le"])
        }
    if kind == "string_too_long":
        return question_id, _("Use at most %(limit)s characters.") % {"limit": ctx["max_length"]}
    return question_id, messages.get(kind, _("This answer is not valid."))


def _number(value: float) -> str:
    return f"{value:g}"


def validate_answers(
    playbook: Playbook,
    raw: dict[str, object],
    *,
    not_applicable: frozenset[str] = frozenset(),
    section: str | None = None,
) -> AnswersResult:
    """Validate raw answers (from a form, an API body or a stored draft).

    Messages are in the active language. Answers to questions of areas marked not
    applicable are dropped.
    """
    relevant = {
        key: value
        for key, value in raw.items()
        if key not in playbook.questions
        or (
            playbook.question_area(key) not in not_applicable
            and (section is None or playbook.question_section[key].id == section)
        )
    }
    model = answers_model(playbook, frozenset(not_applicable), section)
    try:
        validated = model.model_validate(relevant)
    except ValidationError as error:
        errors: dict[str, list[str]] = {}
        for issue in error.errors():
            question_id, message = _message(playbook, issue)
            errors.setdefault(question_id, []).append(message)
        return AnswersResult(answers={}, errors=errors)
    return AnswersResult(answers=validated.model_dump(), errors={})
