from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Signed webhooks and Slack / Microsoft Teams messages out, through one delivery ledger."""

    name = "planner.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from planner.plans.models import Activity
        from planner.webhooks.receivers import activity_recorded

        post_save.connect(activity_recorded, sender=Activity, dispatch_uid="webhooks-activity")
