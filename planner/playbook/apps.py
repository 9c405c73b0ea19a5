from django.apps import AppConfig


class PlaybookConfig(AppConfig):
    name = "planner.playbook"
    label = "playbook"

    def ready(self) -> None:
        # Load and validate once at start-up: a broken data file stops the app here, with a
        # message naming file, entry and field, rather than on the first wizard page.
        from planner.playbook.loader import get_playbook

        get_playbook()
