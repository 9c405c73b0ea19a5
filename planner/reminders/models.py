"""The reminder ledger: one row per plan and boundary, one per recipient delivery.

Unique constraints make each row exist once however many dispatchers run; a delivery moves
pending -> sending -> sent (or failed) by conditional updates, so only one worker sends it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from planner.plans.models import Plan
from planner.teams.models import Team


class ReminderState(models.TextChoices):
    DISPATCHED = "dispatched", _("dispatched")
    SKIPPED = "skipped", _("skipped")


class Reminder(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reminders")
    key = models.CharField(max_length=16)  # see schedule.Boundary.key
    due_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=ReminderState.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="reminder_once_per_boundary")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.key} ({self.state})"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("skipped")


class Delivery(models.Model):
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    email = models.EmailField(blank=True)
    state = models.CharField(
        max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    # Why a delivery was skipped or what the last failure said.
    reason = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder delivery")
        verbose_name_plural = _("reminder deliveries")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["reminder", "user"], name="delivery_once_per_recipient")
        ]
        indexes = [
            models.Index(
                fields=["state", "next_attempt_at"],
                name="delivery_open",
                condition=Q(state__in=["pending", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reminder} -> {self.email} ({self.state})"

    @property
    def message_id(self) -> str:
        """The same for every attempt: a resend after a crash is the same message."""
        from planner.reminders.emails import message_domain

        return (
            f"<reminder-{self.reminder.plan_id}-{self.reminder.key}-{self.pk}@{message_domain()}>"
        )


class OptOut(models.Model):
    """A member who does not want a team's reminders."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reminder opt-out")
        verbose_name_plural = _("reminder opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="optout_once_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} opted out of {self.team_id}"
