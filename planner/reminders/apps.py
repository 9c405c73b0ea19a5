from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "planner.reminders"
    verbose_name = "Reminders"
