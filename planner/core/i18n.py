"""Languages and time zones: the choices users and teams pick from, and their defaults."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@cache
def time_zone_names() -> tuple[str, ...]:
    """IANA zone names a user may pick, sorted; legacy aliases (US/…, Etc/…) are left out."""
    legacy = ("Etc/", "SystemV/", "US/")
    names = (n for n in available_timezones() if "/" in n and not n.startswith(legacy))
    return (*sorted(names), "UTC")


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone."), code="invalid", params={"value": value}
        )


# Callables, so that migrations do not freeze whatever TIME_ZONE/LANGUAGE_CODE said that day.
def default_time_zone() -> str:
    return str(settings.TIME_ZONE)


def default_language() -> str:
    return str(settings.LANGUAGE_CODE)
