from django.contrib import admin

from planner.plans.models import KpiTarget, Plan, PlanTask


class PlanTaskInline(admin.TabularInline[PlanTask, Plan]):
    model = PlanTask
    extra = 0
    fields = ("day", "phase", "catalogue_id", "title", "assignee", "effort_hours", "status")
    raw_id_fields = ("assignee",)


class KpiTargetInline(admin.TabularInline[KpiTarget, Plan]):
    model = KpiTarget
    extra = 0
    fields = ("kpi_id", "baseline", "target", "direction", "unit")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin[Plan]):
    list_display = ("team", "status", "length", "start_date", "playbook_version", "created_at")
    list_filter = ("status", "length")
    search_fields = ("team__name",)
    inlines = [PlanTaskInline, KpiTargetInline]


@admin.register(PlanTask)
class PlanTaskAdmin(admin.ModelAdmin[PlanTask]):
    list_display = ("__str__", "plan", "day", "phase", "assignee", "status")
    list_filter = ("phase", "status")
    raw_id_fields = ("plan", "assignee", "closed_by")


@admin.register(KpiTarget)
class KpiTargetAdmin(admin.ModelAdmin[KpiTarget]):
    list_display = ("kpi_id", "plan", "baseline", "target")
    raw_id_fields = ("plan",)
