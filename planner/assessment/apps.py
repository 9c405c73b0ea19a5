from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "planner.assessment"
    label = "assessment"
