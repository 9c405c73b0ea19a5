"""`backup` and `restore` against the real PostgreSQL server: the test database is backed
up and restored into scratch databases of this test's own, which are dropped at the end."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from planner.core.backups.services import backup_create, backup_restore, restore_check
from planner.core.backups.spec import BackupError
from planner.demo.team import demo_load

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


def _settings(name: str) -> dict[str, Any]:
    return {**connection.settings_dict, "NAME": name}


def _conninfo(name: str) -> str:
    database = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=name,
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
    )


def _url(name: str) -> str:
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    return f"postgres://{database['USER']}{password}@{host}/{name}"


@pytest.fixture
def scratch() -> Iterator[Callable[[], str]]:
    """Make empty databases on the test server (unique names: two test processes share
    it); all are dropped at the end."""
    made: list[str] = []
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")

    def make() -> str:
        name = f"h_backup_{worker}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        return name

    yield make
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
        for name in made:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _fingerprint(name: str) -> dict[str, str]:
    """Every table's row count and a digest of its rows in order, and every sequence's
    position (restored ids must go on from where they were)."""
    prints = {}
    with psycopg.connect(_conninfo(name)) as database:
        tables = database.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
        for (table,) in tables:
            query = sql.SQL(
                "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, ',' "
                "ORDER BY t::text)), '') FROM {} t"
            ).format(sql.Identifier(table))
            row = database.execute(query).fetchone()
            assert row is not None
            prints[table] = row[0]
        sequences = database.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        ).fetchall()
        prints.update({f"sequence {name}": str(value) for name, value in sequences})
    return prints


def _manage(
    *args: str, database: str, answer: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": _url(database), "DEBUG": "true"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=answer,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _backup(path: Path) -> Path:
    call_command("backup", output=path, stdout=io.StringIO())
    return path


def _restore(name: str, path: Path) -> None:
    backup_restore(
        database=_settings(name), check=restore_check(database=_settings(name), path=path)
    )


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_has_the_same_rows(scratch, tmp_path):
    demo_load()
    dump = _backup(tmp_path / "demo.dump")
    fresh = scratch()

    done = _manage("restore", str(dump), "--no-input", database=fresh)

    assert done.returncode == 0, done.stderr
    assert f"Restored {dump} into {fresh}." in done.stdout
    assert "migrations match this release's" in done.stdout
    source = _fingerprint(connection.settings_dict["NAME"])
    assert _fingerprint(fresh) == source
    assert int(source["plans_plantask"].split()[0]) > 0


@pytest.mark.django_db(transaction=True)
def test_a_restore_over_changed_rows_brings_back_the_backed_up_rows(team, scratch, tmp_path):
    dump = _backup(tmp_path / "team.dump")
    target = scratch()
    _restore(target, dump)
    with psycopg.connect(_conninfo(target)) as database:
        database.execute("UPDATE teams_team SET name = 'Renamed'")
        database.execute("DELETE FROM teams_membership")
        database.execute("DELETE FROM django_migrations WHERE app = 'plans'")

    _restore(target, dump)

    assert _fingerprint(target) == _fingerprint(connection.settings_dict["NAME"])


@pytest.mark.django_db(transaction=True)
def test_a_restore_that_fails_midway_is_rolled_back(team, scratch, tmp_path):
    target = scratch()
    _restore(target, _backup(tmp_path / "team.dump"))
    # A dump whose last table's data is damaged: its table of contents reads fine, so
    # pg_restore starts, drops and reloads the other tables, then fails on that one.
    with psycopg.connect(_conninfo(target)) as database:
        database.execute(
            "CREATE TABLE zz_filler AS SELECT md5(i::text) AS v FROM generate_series(1, 20000) i"
        )
    damaged = tmp_path / "damaged.dump"
    backup_create(
        database=_settings(target),
        backup_dir=tmp_path,
        output=damaged,
        now=datetime(2027, 1, 1, tzinfo=UTC),
    )
    data = bytearray(damaged.read_bytes())
    for index in range(len(data) - 2000, len(data) - 1900):
        data[index] ^= 0x5A
    damaged.write_bytes(bytes(data))
    before = _fingerprint(target)

    with pytest.raises(BackupError, match="rolled back; the database is as it was") as failure:
        _restore(target, damaged)

    assert "pg_restore said" in str(failure.value)
    assert _fingerprint(target) == before


@pytest.mark.django_db(transaction=True)
def test_a_truncated_backup_is_refused_before_anything_changes(team, scratch, tmp_path):
    dump = _backup(tmp_path / "team.dump")
    target = scratch()
    _restore(target, dump)
    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    before = _fingerprint(target)

    done = _manage("restore", str(truncated), "--no-input", database=target)

    assert done.returncode == 1
    assert f"{truncated} is not a valid backup. pg_restore said:" in done.stderr
    assert _fingerprint(target) == before


def test_a_file_that_is_no_backup_is_refused(tmp_path):
    notes = tmp_path / "notes.dump"
    notes.write_text("-- plain SQL is not what backup writes\n")
    with pytest.raises(CommandError, match="is not a Planner backup"):
        call_command("restore", str(notes), interactive=False)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match=r"missing\.dump does not exist"):
        call_command("restore", str(tmp_path / "missing.dump"), interactive=False)


def test_an_sqlite_backup_is_refused_by_a_postgres_database(tmp_path):
    copy = tmp_path / "dev.sqlite3"
    backup_create(
        database={"ENGINE": "django.db.backends.sqlite3", "NAME": str(_sqlite_file(tmp_path))},
        backup_dir=tmp_path,
        output=copy,
        now=datetime(2027, 1, 1, tzinfo=UTC),
    )
    with pytest.raises(
        CommandError, match="backup of a SQLite database, but the configured database is PostgreSQL"
    ):
        call_command("restore", str(copy), interactive=False)


def _sqlite_file(folder: Path) -> Path:
    import sqlite3

    path = folder / "dev-source.sqlite3"
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE t (v TEXT)")
    return path


@pytest.mark.django_db(transaction=True)
def test_the_restore_asks_for_the_database_name_and_stops_at_another(team, scratch, tmp_path):
    dump = _backup(tmp_path / "team.dump")
    target = scratch()
    before = _fingerprint(target)

    done = _manage("restore", str(dump), database=target, answer="planner\n")

    assert done.returncode == 1
    assert f"Type the database's name ({target}) to go on:" in done.stdout
    assert "Restore cancelled: the name did not match. Nothing was changed." in done.stderr
    assert _fingerprint(target) == before == {}


@pytest.mark.django_db(transaction=True)
def test_a_backup_from_an_older_release_is_restored_as_it_is_and_asks_for_migrate(
    team, scratch, tmp_path
):
    older = scratch()
    _restore(older, _backup(tmp_path / "team.dump"))
    with psycopg.connect(_conninfo(older)) as database:
        database.execute("DELETE FROM django_migrations WHERE app = 'teams' AND name LIKE '0001%'")
    old_dump = tmp_path / "older.dump"
    backup_create(
        database=_settings(older),
        backup_dir=tmp_path,
        output=old_dump,
        now=datetime(2027, 1, 1, tzinfo=UTC),
    )

    done = _manage("restore", str(old_dump), "--no-input", database=scratch())

    assert done.returncode == 0, done.stderr
    assert "1 migration(s) of this release are not applied" in done.stdout
    assert "run `python manage.py migrate` before starting web and the workers" in done.stdout


@pytest.mark.django_db
def test_without_output_the_backup_is_named_for_the_database_and_time_in_backup_dir(
    settings, tmp_path
):
    settings.BACKUP_DIR = tmp_path / "backups"
    name = connection.settings_dict["NAME"]
    with time_machine.travel(datetime(2027, 10, 31, 1, 30, tzinfo=UTC), tick=False):
        call_command("backup", stdout=(out := io.StringIO()))
    final = tmp_path / "backups" / f"planner-{name}-20271031T013000Z.dump"
    assert final.read_bytes().startswith(b"PGDMP")
    assert out.getvalue() == f"{final} ({final.stat().st_size:,} bytes)\n"
    assert [path.name for path in final.parent.iterdir()] == [final.name]


def test_a_refused_connection_fails_clearly_leaving_no_file_and_no_password(tmp_path):
    refused = {**connection.settings_dict, "PORT": "1", "PASSWORD": "s3cret-never-shown"}
    with pytest.raises(BackupError, match="pg_dump could not back up the database") as failure:
        backup_create(
            database=refused, backup_dir=tmp_path, output=None, now=datetime(2027, 1, 1, tzinfo=UTC)
        )
    assert "Connection refused" in str(failure.value)
    assert "s3cret" not in str(failure.value)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_database_leaves_no_file(tmp_path):
    missing = {**connection.settings_dict, "NAME": f"h_backup_missing_{uuid.uuid4().hex[:8]}"}
    with pytest.raises(BackupError, match="does not exist"):
        backup_create(
            database=missing,
            backup_dir=tmp_path,
            output=tmp_path / "x.dump",
            now=datetime(2027, 1, 1, tzinfo=UTC),
        )
    assert list(tmp_path.iterdir()) == []


def test_without_pg_dump_the_backup_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(
        CommandError, match="pg_dump was not found on PATH: install the PostgreSQL client tools"
    ):
        call_command("backup", output=tmp_path / "x.dump")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_made_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(CommandError, match=r"Cannot create the folder .*a-file/backups"):
        call_command("backup", output=blocker / "backups" / "x.dump")


def test_an_existing_file_is_not_overwritten(tmp_path):
    existing = tmp_path / "x.dump"
    existing.write_text("an older backup")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=existing)
    assert existing.read_text() == "an older backup"
