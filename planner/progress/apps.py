from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "planner.progress"
    verbose_name = "Progress"
