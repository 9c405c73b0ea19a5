"""`backup` and `restore` on SQLite (development): a consistent copy through sqlite3's
backup API, and the copy put back."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from planner.core.backups.services import backup_create, backup_restore, restore_check
from planner.core.backups.spec import BackupError

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def _database(path: Path) -> dict[str, str]:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


def _make(path: Path, *names: str) -> Path:
    with sqlite3.connect(path) as database:
        database.execute("PRAGMA journal_mode=WAL")
        database.execute("CREATE TABLE IF NOT EXISTS person (name TEXT)")
        database.executemany("INSERT INTO person VALUES (?)", [(name,) for name in names])
    return path


def _names(path: Path) -> list[str]:
    with sqlite3.connect(path) as database:
        return [row[0] for row in database.execute("SELECT name FROM person ORDER BY name")]


def test_a_copy_restored_over_changed_rows_brings_them_back(tmp_path):
    live = _make(tmp_path / "planner.sqlite3", "Lea", "Emil")
    backup = backup_create(
        database=_database(live), backup_dir=tmp_path / "backups", output=None, now=NOW
    )
    assert backup.path == tmp_path / "backups" / "planner-planner-20270328T013000Z.sqlite3"
    with sqlite3.connect(live) as database:
        database.execute("DELETE FROM person WHERE name = 'Lea'")
        database.execute("INSERT INTO person VALUES ('Otto')")

    backup_restore(
        database=_database(live), check=restore_check(database=_database(live), path=backup.path)
    )

    assert _names(live) == ["Emil", "Lea"]


def test_the_copy_holds_what_was_committed_while_a_write_is_under_way(tmp_path):
    live = _make(tmp_path / "planner.sqlite3", "Lea")
    writer = sqlite3.connect(live, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO person VALUES ('Uncommitted')")
    try:
        backup = backup_create(
            database=_database(live), backup_dir=tmp_path, output=tmp_path / "copy.sqlite3", now=NOW
        )
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert _names(backup.path) == ["Lea"]


def test_a_damaged_copy_is_refused_and_the_database_keeps_its_rows(tmp_path):
    live = _make(tmp_path / "planner.sqlite3", "Lea")
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)

    with pytest.raises(BackupError, match="is not a valid backup"):
        restore_check(database=_database(live), path=damaged)

    assert _names(live) == ["Lea"]


def test_a_postgres_dump_is_refused_by_an_sqlite_database(tmp_path):
    dump = tmp_path / "planner.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 100)
    with pytest.raises(
        BackupError, match="PostgreSQL database, but the configured database is SQLite"
    ):
        restore_check(database=_database(tmp_path / "planner.sqlite3"), path=dump)


def test_a_missing_database_file_is_not_created_by_a_backup(tmp_path):
    missing = tmp_path / "missing.sqlite3"
    with pytest.raises(BackupError, match="Cannot open the SQLite database"):
        backup_create(
            database=_database(missing), backup_dir=tmp_path / "backups", output=None, now=NOW
        )
    assert not missing.exists()
    assert list((tmp_path / "backups").iterdir()) == []


def test_the_commands_round_trip_a_development_database(tmp_path):
    live = _make(tmp_path / "planner.sqlite3", "Lea", "Emil")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{live}", "DEBUG": "true"}

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    copy = tmp_path / "copy.sqlite3"
    backed_up = manage("backup", "--output", str(copy))
    assert backed_up.returncode == 0, backed_up.stderr
    assert backed_up.stdout == f"{copy} ({copy.stat().st_size:,} bytes)\n"
    with sqlite3.connect(live) as database:
        database.execute("DELETE FROM person")

    restored = manage("restore", str(copy), "--no-input")

    assert restored.returncode == 0, restored.stderr
    assert f"Restored {copy} into planner.sqlite3." in restored.stdout
    assert _names(live) == ["Emil", "Lea"]
