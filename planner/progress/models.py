"""What happens while a plan runs: the activity feed and KPI measurements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from planner.plans.models import KpiTarget, Plan, PlanTask


class ActivityKind(models.TextChoices):
    DONE = "done", _("ticked off")
    REOPENED = "reopened", _("reopened")
    SKIPPED = "skipped", _("skipped")
    TAKEN = "taken", _("took")
    ASSIGNED = "assigned", _("assigned")
    MOVED = "moved", _("moved")
    RENAMED = "renamed", _("renamed")
    ADDED = "added", _("added")
    NOTED = "noted", _("updated the note of")
    MEASURED = "measured", _("measured")
    STARTED = "started", _("started the plan")
    FINISHED = "finished", _("finished the plan")
    PAUSED = "paused", _("paused the plan")
    RESUMED = "resumed", _("resumed the plan")
    RESCHEDULED = "rescheduled", _("moved the start date")


class Activity(models.Model):
    """One change by one person: the feed, and each task's history.

    Written in the same transaction as the change it records, so the two always agree.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activities")
    task = models.ForeignKey(
        PlanTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    kpi_target = models.ForeignKey(
        KpiTarget, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=ActivityKind.choices)
    # Small facts for the feed: a skip reason, the day a task moved to, a measured value.
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["plan", "-at"], name="activity_plan_recent")]

    def __str__(self) -> str:
        return f"{self.actor} {self.kind} at {self.at:%Y-%m-%d %H:%M}"


class KpiMeasurement(models.Model):
    target = models.ForeignKey(KpiTarget, on_delete=models.CASCADE, related_name="measurements")
    value = models.FloatField(_("value"))
    measured_at = models.DateTimeField(_("measured at"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("KPI measurement")
        verbose_name_plural = _("KPI measurements")
        ordering = ["measured_at", "pk"]
        indexes = [models.Index(fields=["target", "-measured_at"], name="measurement_recent")]

    def __str__(self) -> str:
        return f"{self.target.kpi_id} = {self.value:g} at {self.measured_at:%Y-%m-%d %H:%M}"
