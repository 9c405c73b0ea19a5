"""The profile form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from planner.core.fields import SingleLineField
from planner.core.i18n import time_zone_names


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in time_zone_names()]


class ProfileForm(forms.Form):
    name = SingleLineField(label=_("Name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Due dates and times are shown in this time zone."),
    )


class SignupForm(forms.Form):
    """What allauth's sign-up asks besides email and password: the name others see."""

    name = SingleLineField(
        label=_("Name"),
        max_length=150,
        help_text=_("How your team sees you in the plan, the member list and emails."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["name"]

    def signup(self, request: Any, user: Any) -> None:
        user.name = self.cleaned_data["name"]
        user.save(update_fields=["name"])
