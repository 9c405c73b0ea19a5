"""`python manage.py demo`: load the demo team and logins (development only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from planner.demo.team import DEMO_PASSWORD, DEMO_USERS, demo_load


class Command(BaseCommand):
    help = "Create or reset the demo team and its logins. Refuses to run with DEBUG off."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: demo logins have a public password."
            )
        team = demo_load()
        self.stdout.write(self.style.SUCCESS(f"Demo team “{team.name}” is ready."))
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.email:<24} {DEMO_PASSWORD}  ({demo.role.label})")
