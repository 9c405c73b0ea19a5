"""`python manage.py restore PATH`: put a backup taken by `backup` back into the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from planner.core.backups import spec
from planner.core.backups.services import (
    SchemaState,
    backup_restore,
    restore_check,
    schema_state,
)
from planner.core.backups.spec import BackupError


class Command(BaseCommand):
    help = (
        "Replace the database's contents with a backup taken by `backup`. The file is "
        "checked first; the restore runs in one transaction, so a failure changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the backup file")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="do not ask for the database's name to confirm",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="the DATABASES entry to restore into"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        database = connection.settings_dict
        path: Path = options["path"]
        try:
            check = restore_check(database=database, path=path)
            label = spec.database_label(database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if options["interactive"]:
            self._confirm(label, path)
        # Our own connection must not hold a lock the restore waits for.
        connection.close()
        try:
            backup_restore(database=database, check=check)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Restored {path} into {label}."))
        self._report(schema_state(connection, check))

    def _confirm(self, label: str, path: Path) -> None:
        self.stdout.write(f"This replaces everything in the database {label} with {path}.")
        try:
            answer = input(f"Type the database's name ({label}) to go on: ")
        except EOFError:
            answer = ""
        if answer.strip() != label:
            raise CommandError("Restore cancelled: the name did not match. Nothing was changed.")

    def _report(self, state: SchemaState) -> None:
        if state.unknown:
            more = ", ..." if len(state.unknown) > 3 else ""
            self.stdout.write(
                self.style.WARNING(
                    f"The backup has {len(state.unknown)} migration(s) this release does not "
                    f"know ({', '.join(state.unknown[:3])}{more}): it comes from a newer release. "
                    "Run that release on it, or restore a backup taken with this one."
                )
            )
        if state.unapplied:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(state.unapplied)} migration(s) of this release are not applied "
                    "(the backup comes from an older release): run `python manage.py "
                    "migrate` before starting web and the workers."
                )
            )
        elif not state.unknown:
            self.stdout.write("The database's migrations match this release's.")
        if state.extra_tables:
            self.stdout.write(
                self.style.WARNING(
                    "Tables the backup does not hold were left as they were: "
                    f"{', '.join(state.extra_tables)}. To drop them, restore into a new, "
                    "empty database."
                )
            )
