from django.contrib import admin

from planner.calendars.models import CalendarLink


@admin.register(CalendarLink)
class CalendarLinkAdmin(admin.ModelAdmin[CalendarLink]):
    list_display = ("user", "created_at")
    raw_id_fields = ("user",)
