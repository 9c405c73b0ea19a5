from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "planner.plans"
    label = "plans"

    def ready(self) -> None:
        from planner.plans.receivers import look_again_at_reminders
        from planner.teams.signals import time_zone_changed

        time_zone_changed.connect(look_again_at_reminders, dispatch_uid="plans-reminders-zone")
