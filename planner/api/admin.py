from django.contrib import admin

from planner.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Staff see and revoke tokens; the secret itself exists only as its digest."""

    list_display = (
        "name",
        "team",
        "scope",
        "created_by",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("scope",)
    raw_id_fields = ("team", "created_by")
    readonly_fields = ("token_hash", "hint", "last_used_at")
