from django.contrib import admin

from planner.assessment.models import Assessment


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin[Assessment]):
    list_display = ("team", "created_by", "created_at", "completed_at", "playbook_version")
    list_filter = ("playbook_version",)
    search_fields = ("team__name",)
    readonly_fields = ("created_at", "updated_at")
