"""Dates and hours as the progress pages write them, formatted once per process and
language: a weekday's and a month's names cost some 50 µs to look up and format, and the
same days recur on every page."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext


def day_text(day: date) -> str:
    """E.g. "Tue 3 Mar" (the date filter's "D j M"), in the active language."""
    return _day_text(day, get_language() or "en")


def moment_text(moment: datetime) -> str:
    """E.g. "Tue 3 Mar, 14:05" ("D j M, H:i") of a time already in the reader's zone."""
    return f"{day_text(moment.date())}, {moment:%H:%M}"


def moment_iso(moment: datetime) -> str:
    """For <time datetime>: e.g. "2027-03-02T14:05:00+0100" ("Y-m-d\\TH:i:sO")."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def hours_text(hours: Decimal) -> str:
    """E.g. "2.5 h", in the active language."""
    return _hours_text(hours, get_language() or "en")


@lru_cache(maxsize=4096)
def _day_text(day: date, language: str) -> str:
    return date_format(day, "D j M")


@lru_cache(maxsize=512)
def _hours_text(hours: Decimal, language: str) -> str:
    return gettext("%(hours)s h") % {"hours": floatformat(hours, "-1")}
