from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo team and logins of `make run`: the top layer, it uses every area."""

    name = "planner.demo"
    label = "demo"
