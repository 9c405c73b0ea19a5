from django.contrib import admin

from planner.progress.models import KpiMeasurement


@admin.register(KpiMeasurement)
class KpiMeasurementAdmin(admin.ModelAdmin[KpiMeasurement]):
    list_display = ("target", "value", "measured_at", "recorded_by")
    raw_id_fields = ("target", "recorded_by")
