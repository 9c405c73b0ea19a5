"""Forms for teams, invitations and roles."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from planner.accounts.forms import time_zone_choices
from planner.core.fields import SingleLineField
from planner.teams.models import Role


class TeamForm(forms.Form):
    name = SingleLineField(label=_("Team name"), max_length=100)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Plan days and reminders follow this time zone."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("Used for emails to people who have no account yet."),
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter a name for the team."))
        return name


class TeamCreateForm(TeamForm):
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=60,
        required=False,
        help_text=_("Used in links, e.g. ml-platform. Leave empty to derive it from the name."),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.ENGINEER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class HoursForm(forms.Form):
    weekly_hours = forms.IntegerField(
        label=_("Hours a week for the plan"),
        required=False,
        min_value=0,
        max_value=60,
        help_text=_("Empty: the hours the self-assessment gives everyone. 0: not on the plan."),
    )
