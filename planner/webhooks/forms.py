"""Forms of the integrations page: a webhook endpoint, a chat channel."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from planner.core.fields import SingleLineField
from planner.webhooks.events import WEBHOOK_EVENTS
from planner.webhooks.models import Weekday


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("URL"),
        max_length=2000,
        help_text=_("An https:// address on the internet that takes a POST with JSON."),
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )
    description = SingleLineField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(e.value, e.label) for e in WEBHOOK_EVENTS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )


class ChatForm(forms.Form):
    url = forms.CharField(
        label=_("Incoming webhook URL"),
        max_length=2000,
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )
    digest_weekday = forms.TypedChoiceField(
        label=_("Weekly digest"),
        choices=[("", _("No weekly digest")), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Besides the summary at each phase boundary, the week's progress on this day."),
    )
