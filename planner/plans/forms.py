"""Forms for reviewing a draft plan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from planner.accounts.models import User
from planner.core.fields import SingleLineField


class TaskEditForm(forms.Form):
    """`members` is loaded once per page, not once per task row."""

    title = SingleLineField(label=_("Title"), max_length=200)
    day = forms.IntegerField(label=_("Day"), min_value=1, max_value=30)
    assignee = forms.TypedChoiceField(
        label=_("Assignee"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {member.pk: member for member in members}
        field = self.fields["assignee"]
        if isinstance(field, forms.TypedChoiceField):
            field.choices = [("", _("Nobody")), *((m.pk, m.display_name) for m in members)]

    def clean_assignee(self) -> User | None:
        member_id = self.cleaned_data.get("assignee")
        return None if member_id is None else self.members[member_id]


class TaskAddForm(TaskEditForm):
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    phase = forms.TypedChoiceField(
        label=_("Phase"), coerce=int, choices=[(n, n) for n in range(1, 5)]
    )
    effort_hours = forms.DecimalField(
        label=_("Effort (hours)"),
        min_value=Decimal("0.5"),
        max_value=Decimal("40"),
        decimal_places=1,
        initial=Decimal("2"),
    )


class KpiTargetForm(forms.Form):
    target = forms.FloatField(label=_("Target"))


class KpiBandForm(forms.Form):
    """A band KPI's healthy band (utilisation between 50 and 75 %)."""

    low = forms.FloatField(label=_("From"))
    high = forms.FloatField(label=_("To"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("low"), data.get("high")
        if low is not None and high is not None and low >= high:
            self.add_error("high", _("The upper edge must lie above the lower one."))
        return data


class StartForm(forms.Form):
    start_date = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        """`today` on the team's calendar: proposed, and the earliest the date picker offers."""
        if today is not None:
            kwargs.setdefault("initial", {"start_date": today})
        super().__init__(*args, **kwargs)
        if today is not None:
            self.fields["start_date"].widget.attrs["min"] = today.isoformat()
