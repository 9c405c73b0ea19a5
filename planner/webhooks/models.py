"""Endpoints a team sends to (signed webhooks, a Slack or Teams channel), the events
Planner tells them about, and the ledger: one delivery per endpoint and event.

Unique constraints make each event and each delivery exist once however many dispatchers
run; a delivery moves pending -> sending -> sent (or failed) by conditional updates, so
only one worker sends it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from planner.plans.models import Activity, Plan
from planner.teams.models import Team
from planner.webhooks.events import EventType


class EndpointKind(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook")
    SLACK = "slack", _("Slack")
    TEAMS = "teams", _("Microsoft Teams")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Endpoint(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=EndpointKind.choices)
    url = models.CharField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(default=list)  # EventType values; chat: implied
    # Standard Webhooks secret (whsec_...), kept to sign with; empty for chat.
    secret = models.CharField(max_length=80, blank=True)
    digest_weekday = models.PositiveSmallIntegerField(
        _("weekly digest"), choices=Weekday.choices, null=True, blank=True
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "kind"],
                condition=~Q(kind="webhook"),
                name="endpoint_one_chat_per_service",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.url}"

    def get_absolute_url(self) -> str:
        """The endpoint's deliveries; reads `self.team`."""
        return reverse(
            "webhook_endpoint", kwargs={"team_slug": self.team.slug, "endpoint_id": self.pk}
        )

    @property
    def is_chat(self) -> bool:
        return self.kind != EndpointKind.WEBHOOK

    def wants(self, event_type: str) -> bool:
        if self.kind == EndpointKind.WEBHOOK:
            return event_type in self.events
        if event_type == EventType.WEEKLY_DIGEST:
            return self.digest_weekday is not None
        return event_type == EventType.PHASE_SUMMARY


class Event(models.Model):
    """Something that happened that endpoints may be told: once per `key`."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, null=True, related_name="+")
    # The feed entry it came from, if any: the sweep finds entries that made no event.
    activity = models.ForeignKey(Activity, on_delete=models.SET_NULL, null=True, related_name="+")
    type = models.CharField(max_length=24, choices=EventType.choices)
    # "activity-<id>-<type>", "boundary-<plan>-<key>", "digest-<plan>-<date>"
    key = models.CharField(max_length=80, unique=True)
    data = models.JSONField(default=dict)
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return self.key

    @property
    def message_id(self) -> str:
        """`webhook-id`: the same for every attempt, so a receiver can drop a repeat."""
        return f"msg_{self.uid.hex}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class Delivery(models.Model):
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    # The exact bytes sent (JSON), written once so every attempt sends the same message.
    body = models.TextField()
    state = models.CharField(
        max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # The last attempt: the status code (None: no answer) and the start of the answer or
    # what went wrong, for the lead.
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    answer = models.CharField(max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"], name="webhook_delivery_once_per_endpoint"
            )
        ]
        indexes = [
            models.Index(
                fields=["state", "next_attempt_at"],
                name="webhook_delivery_open",
                condition=Q(state__in=["pending", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} -> {self.endpoint_id} ({self.state})"
