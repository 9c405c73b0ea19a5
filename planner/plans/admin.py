from django.contrib import admin

from planner.plans.models import Activity, BacklogTask, KpiTarget, Plan, PlanTask


class PlanTaskInline(admin.TabularInline[PlanTask, Plan]):
    model = PlanTask
    extra = 0
    fields = (
        "start_day",
        "day",
        "phase",
        "catalogue_id",
        "title",
        "assignee",
        "effort_hours",
        "status",
    )
    raw_id_fields = ("assignee",)


class BacklogTaskInline(admin.TabularInline[BacklogTask, Plan]):
    model = BacklogTask
    extra = 0
    fields = ("position", "phase", "catalogue_id", "title", "effort_hours", "reason")


class KpiTargetInline(admin.TabularInline[KpiTarget, Plan]):
    model = KpiTarget
    extra = 0
    fields = ("kpi_id", "baseline", "target", "direction", "unit")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin[Plan]):
    list_display = ("team", "status", "length", "start_date", "playbook_version", "created_at")
    list_filter = ("status", "length")
    search_fields = ("team__name",)
    inlines = [PlanTaskInline, BacklogTaskInline, KpiTargetInline]


@admin.register(PlanTask)
class PlanTaskAdmin(admin.ModelAdmin[PlanTask]):
    list_display = ("__str__", "plan", "day", "phase", "assignee", "status")
    list_filter = ("phase", "status")
    raw_id_fields = ("plan", "assignee", "closed_by")


@admin.register(BacklogTask)
class BacklogTaskAdmin(admin.ModelAdmin[BacklogTask]):
    list_display = ("__str__", "plan", "phase", "effort_hours", "reason")
    list_filter = ("phase", "reason")
    raw_id_fields = ("plan",)


@admin.register(KpiTarget)
class KpiTargetAdmin(admin.ModelAdmin[KpiTarget]):
    list_display = ("kpi_id", "plan", "baseline", "target")
    raw_id_fields = ("plan",)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin[Activity]):
    list_display = ("at", "actor", "kind", "task", "plan")
    list_filter = ("kind",)
    raw_id_fields = ("plan", "task", "kpi_target", "actor")
    date_hierarchy = "at"
