"""What a backup or restore runs, as values: the database it targets, the file's name, the
argument lists of pg_dump and pg_restore and the environment that carries the password.

No subprocess, no clock, no Django connection here: `now` and the settings are parameters.
The password travels only in the child's environment (PGPASSWORD), never in an argument
list, which any user of the machine can read with `ps`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

Engine = Literal["postgresql", "sqlite"]

# The first bytes of each kind of file: pg_dump's custom format, and an SQLite database.
PG_CUSTOM_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
EXTENSIONS: dict[Engine, str] = {"postgresql": ".dump", "sqlite": ".sqlite3"}

# Connection options Django passes to libpq (dj-database-url puts `?sslmode=...` there)
# and the environment variables that tell pg_dump and pg_restore the same.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "passfile": "PGPASSFILE",
}
# A server that does not answer fails the command after this long, not after libpq's
# default of waiting forever.
DEFAULT_CONNECT_TIMEOUT = "10"


class BackupError(Exception):
    """A backup or restore that cannot run or failed; the message is for the operator."""


@dataclass(frozen=True)
class PgTarget:
    """A PostgreSQL database as pg_dump and pg_restore reach it."""

    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = field(default="", repr=False)
    options: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, database: Mapping[str, Any]) -> PgTarget:
        options = database.get("OPTIONS") or {}
        return cls(
            name=str(database["NAME"]),
            host=str(database.get("HOST") or ""),
            port=str(database.get("PORT") or ""),
            user=str(database.get("USER") or ""),
            password=str(database.get("PASSWORD") or ""),
            options={key: str(value) for key, value in options.items() if key in LIBPQ_OPTIONS},
        )

    def connection_args(self) -> list[str]:
        args = ["--no-password"]  # never prompt: a backup from cron has nobody to answer
        if self.host:
            args.append(f"--host={self.host}")
        if self.port:
            args.append(f"--port={self.port}")
        if self.user:
            args.append(f"--username={self.user}")
        return args


def engine_of(database: Mapping[str, Any]) -> Engine:
    engine = str(database.get("ENGINE", ""))
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {engine or 'this database'}.")


def sqlite_path(database: Mapping[str, Any]) -> Path:
    """The file of an SQLite database; an in-memory one has nothing to back up."""
    name = str(database.get("NAME", ""))
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError("The database is in memory: there is no file to back up or restore.")
    return Path(name)


def database_label(database: Mapping[str, Any]) -> str:
    """What the operator types to confirm a restore: the database's name (its file's name
    for SQLite)."""
    if engine_of(database) == "sqlite":
        return sqlite_path(database).name
    return str(database["NAME"])


def backup_name(database: Mapping[str, Any], now: datetime) -> str:
    """`planner-<database>-<UTC timestamp>.dump` (`.sqlite3` for SQLite): sorted by name is
    sorted by time, and the name says where it came from."""
    engine = engine_of(database)
    name = sqlite_path(database).stem if engine == "sqlite" else str(database["NAME"])
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "database"
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"planner-{safe}-{stamp}{EXTENSIONS[engine]}"


def partial_path(final: Path, token: str) -> Path:
    """Where a backup is written before it is complete: hidden, beside the final file (so
    the rename is atomic), and not ending like a backup."""
    return final.with_name(f".{final.name}.{token}.partial")


def pg_dump_args(pg_dump: str, target: PgTarget, output: Path) -> list[str]:
    # The custom format is compressed and lets pg_restore pick tables one by one.
    return [
        pg_dump,
        "--format=custom",
        f"--file={output}",
        *target.connection_args(),
        f"--dbname={target.name}",
    ]


def pg_restore_list_args(pg_restore: str, path: Path) -> list[str]:
    """Reads the archive's table of contents only: a cheap check that it is a dump."""
    return [pg_restore, "--list", str(path)]


def pg_restore_args(pg_restore: str, target: PgTarget, path: Path) -> list[str]:
    # One transaction that stops at the first error: a restore that fails is rolled back
    # and leaves the data as it was. --clean --if-exists drops each object of the dump
    # before creating it again; --no-owner makes the configured user the owner, whoever
    # owned the objects where the dump was taken.
    return [
        pg_restore,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        *target.connection_args(),
        f"--dbname={target.name}",
        str(path),
    ]


def pg_env(target: PgTarget, base: Mapping[str, str]) -> dict[str, str]:
    """The child's environment: `base` (the command's own) with the password and the
    connection options of the target."""
    env = dict(base)
    env.setdefault("PGCONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT)
    for option, value in target.options.items():
        env[LIBPQ_OPTIONS[option]] = value
    if target.password:
        env["PGPASSWORD"] = target.password
    return env


def kind_of_file(head: bytes) -> Engine | None:
    """Which engine's backup a file is, from its first bytes; None for neither."""
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    return None


def tables_in_listing(listing: str) -> set[str]:
    """The tables of the public schema in a `pg_restore --list` table of contents, whose
    lines read `231; 1259 16503 TABLE public accounts_user planner`."""
    tables = set()
    for line in listing.splitlines():
        if line.startswith(";"):
            continue
        parts = line.split()
        if len(parts) >= 6 and parts[3:5] == ["TABLE", "public"]:
            tables.add(parts[5])
    return tables


def redact(text: str, secret: str) -> str:
    """A tool's message with the password taken out, should it ever echo it."""
    return text.replace(secret, "********") if secret else text


def last_lines(text: str, count: int = 5) -> str:
    """The end of a tool's error output, where the reason is."""
    return "\n".join(text.strip().splitlines()[-count:])
