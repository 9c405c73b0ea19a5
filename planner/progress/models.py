"""What happens while a plan runs: KPI measurements (the activity feed is the plan's, in plans)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from planner.plans.models import KpiTarget


class KpiMeasurement(models.Model):
    target = models.ForeignKey(KpiTarget, on_delete=models.CASCADE, related_name="measurements")
    value = models.FloatField(_("value"))
    measured_at = models.DateTimeField(_("measured at"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # A key the sender chose (an API client's idempotency key): the same key for the same
    # KPI is stored once, so a job that sends again after a timeout does not count twice.
    client_key = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("KPI measurement")
        verbose_name_plural = _("KPI measurements")
        ordering = ["measured_at", "pk"]
        indexes = [models.Index(fields=["target", "-measured_at"], name="measurement_recent")]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "client_key"],
                condition=~models.Q(client_key=""),
                name="measurement_once_per_client_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.target.kpi_id} = {self.value:g} at {self.measured_at:%Y-%m-%d %H:%M}"
