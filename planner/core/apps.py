from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "planner.core"
    label = "core"

    def ready(self) -> None:
        # Connects the Celery signal handlers that carry request ids into tasks.
        from planner.core import logs  # noqa: F401
