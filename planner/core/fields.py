"""Form fields shared by several areas."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as read off a clock in the user's time zone.

    Django refuses a wall time that a clock change makes ambiguous, yet a form that
    proposes "now" shows one for an hour every autumn night. Of the two moments, the
    earlier is taken: for the proposed "now" it is never in the future. A wall time that
    a spring change skips does not exist and is refused, saying so.
    """

    default_error_messages = {
        "skipped": _(
            "There is no %(time)s on %(date)s in %(zone)s: the clocks skip that hour. "
            "Enter the time the clock showed."
        ),
    }

    def to_python(self, value: Any) -> datetime | None:
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
            naive = self._naive(value)
        zone = timezone.get_current_timezone()
        moment = naive.replace(tzinfo=zone, fold=0)  # fold 0: the first of the two
        if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
            raise ValidationError(
                self.error_messages["skipped"],
                code="skipped",
                params={
                    "time": formats.time_format(naive.time(), "TIME_FORMAT"),
                    "date": formats.date_format(naive.date(), "DATE_FORMAT"),
                    "zone": str(zone),
                },
            )
        return moment

    def _naive(self, value: Any) -> datetime:
        """What the parent parsed, before its time zone step (which refused it)."""
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        text = str(value).strip()
        parsed = parse_datetime(text)
        if parsed is not None:
            return parsed
        for input_format in self.input_formats or ():
            try:
                return self.strptime(text, input_format)
            except (ValueError, TypeError):
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


# Control characters (a line break among them) and the marks that turn text direction: in a
# name or a title they break email headers or make "gnp.exe" read as "exe.png".
NOT_ONE_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def is_one_line(value: str) -> bool:
    return NOT_ONE_LINE.search(value) is None


class SingleLineField(forms.CharField):
    """A name, a title or a subject: one line of text, nothing that moves or breaks it."""

    default_error_messages = {
        "one_line": _(
            "Use one line of plain text: no line breaks, control characters or "
            "text direction marks."
        ),
    }

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not is_one_line(value):
            raise ValidationError(self.error_messages["one_line"], code="one_line")
