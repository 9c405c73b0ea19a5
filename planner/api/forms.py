"""The form a lead creates an API token with; the service checks the same rules again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from planner.api.models import Scope
from planner.core.fields import SingleLineField

LIFETIMES = [
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("180", _("180 days")),
    ("365", _("1 year")),
]


class TokenForm(forms.Form):
    name = SingleLineField(
        label=_("Name"),
        max_length=80,
        help_text=_("What uses it, e.g. “GitHub Actions: terraform apply”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=Scope.choices,
        initial=Scope.READ,
        widget=forms.RadioSelect,
        help_text=_(
            "Read: plans, tasks, KPIs and progress. Write: also tick tasks and record measurements."
        ),
    )
    lifetime = forms.TypedChoiceField(
        label=_("Expires after"), choices=LIFETIMES, initial="90", coerce=int
    )
