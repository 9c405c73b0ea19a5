from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    """Planner's own metrics: `/metrics` for web, a metrics port for the Celery worker."""

    name = "planner.observability"
    label = "observability"

    def ready(self) -> None:
        from planner.observability import task_metrics

        task_metrics.connect()
