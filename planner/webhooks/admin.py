from django.contrib import admin

from planner.webhooks.models import Delivery, Endpoint, Event


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin[Endpoint]):
    list_display = ["team", "kind", "url", "active", "created_at"]
    list_filter = ["kind", "active"]
    exclude = ["secret"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    list_display = ["key", "type", "team", "occurred_at"]
    list_filter = ["type"]
    raw_id_fields = ["plan", "activity"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ["event", "endpoint", "state", "attempts", "status_code", "sent_at"]
    list_filter = ["state"]
    raw_id_fields = ["event", "endpoint"]
