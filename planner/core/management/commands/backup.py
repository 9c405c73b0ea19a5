"""`python manage.py backup`: a restorable copy of the database, for operators and cron."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from planner.core.backups.services import backup_create
from planner.core.backups.spec import BackupError


class Command(BaseCommand):
    help = (
        "Back up the database: PostgreSQL with pg_dump's custom format (compressed), SQLite "
        "as a consistent copy. Prints the file's path and size."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="the file to write (default: BACKUP_DIR/planner-<database>-<UTC time>.dump)",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="the DATABASES entry to back up"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backup = backup_create(
                database=connections[options["database"]].settings_dict,
                backup_dir=Path(settings.BACKUP_DIR),
                output=options["output"],
                now=timezone.now(),
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{backup.path} ({backup.size:,} bytes)")
