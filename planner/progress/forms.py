"""Forms for working through a plan; the services check the same limits again."""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from planner.core.fields import WallClockDateTimeField
from planner.progress.services import MEASUREMENT_NOTE_LIMIT, NOTE_LIMIT, REASON_LIMIT


class SkipForm(forms.Form):
    reason = forms.CharField(
        label=_("Why skip it?"),
        max_length=REASON_LIMIT,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. already covered by our platform")}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence_url = forms.URLField(
        label=_("Evidence link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("A pull request, dashboard or document that shows the work."),
        error_messages={"invalid": _("Enter a full web address, e.g. https://example.com/pr/1.")},
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    # The text of a save that lost to someone else's, shown beside theirs so it is not lost.
    yours: str = ""


class MeasurementForm(forms.Form):
    value = forms.FloatField(label=_("Value"))
    measured_at = WallClockDateTimeField(
        label=_("Measured at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(label=_("Note"), max_length=MEASUREMENT_NOTE_LIMIT, required=False)
