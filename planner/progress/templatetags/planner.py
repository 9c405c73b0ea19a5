"""Template helpers (the `planner` library): texts stored in both languages, KPI values with
their units, schedule badges. In progress, the top area whose pages use them, so that it may
read the playbook and the standing; templates of any area load it (a template is no import)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from planner.playbook.display import UNITS, number_text
from planner.playbook.schema import Text
from planner.progress.labels import SCHEDULE, SCHEDULE_STYLE
from planner.progress.selectors.kpis import KpiCard, reached
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


NO_BREAK = "\u00a0"  # a value never wraps away from its unit ("180 / ms" on a phone)
JOINED_DASH = "\u2060–\u2060"  # an en dash no line breaks at, either side


@register.filter
def with_unit(value: float | int, unit: str) -> str:
    """A KPI value with its unit in the active language, e.g. "144 ms" or "2 pro Monat",
    joined by no-break spaces."""
    return tr(number_text(float(value), unit)).replace(" ", NO_BREAK)  # type: ignore[arg-type]


@register.filter
def unit_label(unit: str) -> str:
    """A KPI's unit alone in the active language ("ms", "pro Monat"; a count has none)."""
    english, german = UNITS.get(unit, ("", ""))  # type: ignore[call-overload]
    return str(german if (get_language() or "en").startswith("de") else english)


@register.filter
def band_text(target: Any) -> str:
    """A band KPI's healthy band with its unit, e.g. "50-75 %" (with an en dash)."""
    low, high = target.band
    return f"{tr(number_text(float(low), 'count'))}{JOINED_DASH}{with_unit(high, target.unit)}"


@register.filter
def band_of(low: float | int, target: Any) -> str:
    """A band from `low` to the target's `band_high`, each with its unit, that never wraps
    ("50 % to 75 %" with an en dash)."""
    return f"{with_unit(low, target.unit)}{JOINED_DASH}{with_unit(target.band_high, target.unit)}"


@register.filter(name="reached")
def reached_count(cards: list[KpiCard]) -> int:
    """How many of the KPI cards' targets are reached."""
    return reached(cards)


@register.simple_tag
def schedule_badge(schedule: str) -> str:
    """Ahead, on track, behind: a badge in the reader's language. A simple tag, not an
    inclusion tag: a template of its own cost a plan bar a tenth of a millisecond."""
    known = Schedule(schedule) if schedule in Schedule._value2member_map_ else None
    if known is None:
        return format_html('<span class="badge">{}</span>', schedule)
    return format_html('<span class="badge {}">{}</span>', SCHEDULE_STYLE[known], SCHEDULE[known])
