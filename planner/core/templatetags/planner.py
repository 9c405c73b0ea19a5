"""Template helpers: texts stored in both languages, and small formatting."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from planner.playbook.display import UNITS, number_text
from planner.playbook.schema import Text
from planner.progress.labels import SCHEDULE, SCHEDULE_STYLE
from planner.progress.standing import Schedule

register = template.Library()


@register.filter
def tr(value: Any) -> str:
    """The active language's side of a playbook `Text` or a stored {"en", "de"} dict."""
    language = (get_language() or "en")[:2]
    if isinstance(value, Text):
        return value.get(language)
    if isinstance(value, dict):
        return str(value.get(language) or value.get("en") or "")
    return "" if value is None else str(value)


@register.filter
def times(value: float | int, factor: float | int) -> float:
    return float(value) * float(factor)


@register.filter
def date_of(plan: Any, day: int) -> Any:
    """The calendar date of a plan day (None before the plan starts)."""
    return plan.date_of_day(int(day))


@register.filter
def with_unit(value: float | int, unit: str) -> str:
    """A KPI value with its unit in the active language, e.g. "144 ms" or "2 pro Monat"."""
    return tr(number_text(float(value), unit))  # type: ignore[arg-type]


@register.filter
def unit_label(unit: str) -> str:
    """A KPI's unit alone in the active language ("ms", "pro Monat"; a count has none)."""
    english, german = UNITS.get(unit, ("", ""))  # type: ignore[call-overload]
    return str(german if (get_language() or "en").startswith("de") else english)


@register.filter
def band_text(target: Any) -> str:
    """A band KPI's healthy band with its unit, e.g. "50-75 %" (with an en dash)."""
    low, high = target.band
    return f"{tr(number_text(float(low), 'count'))}–{with_unit(high, target.unit)}"


@register.inclusion_tag("progress/schedule_badge.html")
def schedule_badge(schedule: str) -> dict[str, Any]:
    """Ahead, on track, behind: a badge in the reader's language."""
    known = Schedule(schedule) if schedule in Schedule._value2member_map_ else None
    if known is None:
        return {"label": schedule, "style": ""}
    return {"label": SCHEDULE[known], "style": SCHEDULE_STYLE[known]}
