"""Taking and restoring backups: pg_dump and pg_restore for PostgreSQL, Python's sqlite3
backup API for SQLite (a consistent copy while the app runs).

A backup is written under a temporary name and renamed when complete, so a failed or
interrupted one never leaves a file that looks like a backup. A restore checks the file
before it touches the database and runs in one transaction.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

from planner.core.backups import spec
from planner.core.backups.spec import BackupError, Engine, PgTarget


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int


@dataclass(frozen=True)
class RestoreCheck:
    """A file found fit to restore: its engine, and for PostgreSQL the tables it holds."""

    path: Path
    engine: Engine
    tables: set[str] = field(default_factory=set)


def backup_create(
    *, database: Mapping[str, Any], backup_dir: Path, output: Path | None, now: datetime
) -> Backup:
    """Back up `database` (a DATABASES entry) to `output`, or to a new name in `backup_dir`."""
    engine = spec.engine_of(database)
    final = output if output is not None else backup_dir / spec.backup_name(database, now)
    final = final.absolute()
    if final.exists():
        raise BackupError(f"{final} already exists; choose another --output.")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"Cannot create the folder {final.parent}: {error.strerror}.") from None
    if not os.access(final.parent, os.W_OK | os.X_OK):
        raise BackupError(f"The folder {final.parent} is not writable.")
    partial = spec.partial_path(final, secrets.token_hex(4))
    try:
        if engine == "postgresql":
            _pg_dump(PgTarget.from_settings(database), partial)
        else:
            _sqlite_copy(spec.sqlite_path(database), partial)
        partial.rename(final)
    except BaseException:
        # Also on Ctrl-C: what is left must not pass for a backup.
        partial.unlink(missing_ok=True)
        raise
    _sync_folder(final.parent)
    return Backup(path=final, size=final.stat().st_size)


def restore_check(*, database: Mapping[str, Any], path: Path) -> RestoreCheck:
    """Refuse a file that is missing, of the other engine or not a valid backup; nothing
    is changed here."""
    engine = spec.engine_of(database)
    try:
        with path.open("rb") as file:
            head = file.read(len(spec.SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist.") from None
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from None
    kind = spec.kind_of_file(head)
    if kind is None:
        raise BackupError(
            f"{path} is not a Planner backup (neither a pg_dump custom-format archive "
            "nor an SQLite database)."
        )
    if kind != engine:
        names = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
        raise BackupError(
            f"{path} is a backup of a {names[kind]} database, but the configured database "
            f"is {names[engine]}: restore it into a {names[kind]} database."
        )
    if engine == "sqlite":
        _sqlite_check(path)
        return RestoreCheck(path=path, engine=engine)
    listing = _run(
        spec.pg_restore_list_args(_tool("pg_restore"), path),
        env=dict(os.environ),
        failure=f"{path} is not a valid backup",
    )
    return RestoreCheck(path=path, engine=engine, tables=spec.tables_in_listing(listing))


def backup_restore(*, database: Mapping[str, Any], check: RestoreCheck) -> None:
    """Replace the database's contents with the checked backup. Django's connections must
    be closed: a connection in a transaction would hold the locks the restore needs."""
    if check.engine == "sqlite":
        _sqlite_restore(check.path, spec.sqlite_path(database))
        return
    target = PgTarget.from_settings(database)
    _run(
        spec.pg_restore_args(_tool("pg_restore"), target, check.path),
        env=spec.pg_env(target, os.environ),
        failure="The restore failed and was rolled back; the database is as it was",
        secret=target.password,
    )


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH: install the PostgreSQL client tools "
            "(Debian's postgresql-client, of the server's major version or newer)."
        )
    return path


def _run(args: list[str], *, env: dict[str, str], failure: str, secret: str = "") -> str:
    """Run a PostgreSQL tool; its output, or BackupError with the end of its complaint."""
    done = subprocess.run(  # noqa: S603 - our own argument list, no shell
        args, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        reason = spec.redact(spec.last_lines(done.stderr), secret) or f"exit {done.returncode}"
        raise BackupError(f"{failure}. {Path(args[0]).name} said:\n{reason}")
    return done.stdout


def _pg_dump(target: PgTarget, partial: Path) -> None:
    _run(
        spec.pg_dump_args(_tool("pg_dump"), target, partial),
        env=spec.pg_env(target, os.environ),
        failure=f"pg_dump could not back up the database {target.name}",
        secret=target.password,
    )


def _sqlite_transfer(source: str, target: Path) -> None:
    """Write the database at the URI `source` over `target` with SQLite's backup API: a
    consistent copy while others write, in one transaction (a failure leaves `target` as
    it was)."""
    with (
        contextlib.closing(sqlite3.connect(source, uri=True)) as origin,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        origin.backup(copy)


def _sqlite_copy(source: Path, partial: Path) -> None:
    try:
        # mode=rw: a missing file is an error, not a new empty database.
        _sqlite_transfer(f"file:{source}?mode=rw", partial)
    except sqlite3.Error as error:
        action = "back up" if source.is_file() else "open the SQLite database"
        raise BackupError(f"Cannot {action} {source}: {error}.") from None


def _sqlite_check(path: Path) -> None:
    try:
        backup = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = backup.execute("PRAGMA quick_check").fetchone()
        finally:
            backup.close()
    except sqlite3.Error as error:
        raise BackupError(f"{path} is not a valid backup: {error}.") from None
    if result != "ok":
        raise BackupError(f"{path} is not a valid backup: {result}.")


def _sqlite_restore(path: Path, target: Path) -> None:
    try:
        _sqlite_transfer(f"file:{path}?mode=ro", target)
    except sqlite3.Error as error:
        raise BackupError(f"The restore of {path} failed: {error}.") from None


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (a crash right after must not lose the new name)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@dataclass(frozen=True)
class SchemaState:
    """How a restored database's migrations compare with this release's."""

    unapplied: list[str]  # this release's migrations the database has not run
    unknown: list[str]  # migrations the database ran that this release does not have
    extra_tables: list[str]  # tables the backup does not hold, left as they were


def schema_state(connection: BaseDatabaseWrapper, check: RestoreCheck) -> SchemaState:
    loader = MigrationLoader(connection)
    applied = loader.applied_migrations
    # Every migration of the graph, not `migration_plan` of the leaves: that plan skips
    # an unapplied migration whose descendants are applied.
    unapplied = sorted(
        f"{app}.{name}" for app, name in loader.graph.nodes if (app, name) not in applied
    )
    unknown = sorted(
        f"{app}.{name}" for app, name in applied if (app, name) not in loader.graph.nodes
    )
    extra = []
    if check.engine == "postgresql":
        extra = sorted(set(connection.introspection.table_names()) - check.tables)
    return SchemaState(
        unapplied=unapplied,
        unknown=unknown,
        extra_tables=extra,
    )
