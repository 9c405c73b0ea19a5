from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """Plans and teams out of Planner (CSV, Markdown, a printable report, JSON) and back in."""

    name = "planner.exports"
    label = "exports"
