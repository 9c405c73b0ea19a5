"""`python manage.py dispatch_reminders [--now ISO-8601]`: what beat runs, by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from planner.reminders.tasks import dispatch_due, sweep_stuck


class Command(BaseCommand):
    help = "Send the reminders of every phase boundary that is due (as beat does)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            help="Dispatch as if it were this moment (ISO 8601, e.g. 2027-03-08T09:00+01:00).",
        )
        parser.add_argument(
            "--sweep", action="store_true", help="Also put back stuck or lost deliveries."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError:
                raise CommandError(f"--now: not an ISO 8601 moment: {options['now']!r}") from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        result = dispatch_due(now)
        self.stdout.write(
            f"{result.plans} plans looked at, {result.sent} reminders dispatched "
            f"({result.deliveries} emails queued), {result.skipped} missed boundaries recorded."
        )
        if options["sweep"]:
            swept = sweep_stuck(now)
            self.stdout.write(
                f"{swept.unstuck} stuck deliveries put back, {swept.requeued} lost ones re-queued."
            )
