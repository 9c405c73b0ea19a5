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

    class Meta:
        verbose_name = _("KPI measurement")
        verbose_name_plural = _("KPI measurements")
        ordering = ["measured_at", "pk"]
        indexes = [models.Index(fields=["target", "-measured_at"], name="measurement_recent")]

    def __str__(self) -> str:
        return f"{self.target.kpi_id} = {self.value:g} at {self.measured_at:%Y-%m-%d %H:%M}"
