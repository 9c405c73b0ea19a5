from django.contrib import admin

from planner.reminders.models import Delivery, OptOut, Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin[Reminder]):
    list_display = ("plan", "key", "due_at", "state")
    list_filter = ("state", "key")
    raw_id_fields = ("plan",)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ("reminder", "email", "state", "attempts", "sent_at")
    list_filter = ("state",)
    raw_id_fields = ("reminder", "user")


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin[OptOut]):
    list_display = ("user", "team", "created_at")
    raw_id_fields = ("user", "team")
