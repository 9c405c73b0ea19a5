from django.contrib import admin

from planner.progress.models import Activity, KpiMeasurement


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin[Activity]):
    list_display = ("at", "actor", "kind", "task", "plan")
    list_filter = ("kind",)
    raw_id_fields = ("plan", "task", "kpi_target", "actor")
    date_hierarchy = "at"


@admin.register(KpiMeasurement)
class KpiMeasurementAdmin(admin.ModelAdmin[KpiMeasurement]):
    list_display = ("target", "value", "measured_at", "recorded_by")
    raw_id_fields = ("target", "recorded_by")
