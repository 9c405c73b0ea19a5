"""What a backup runs, as values: file names, pg_dump/pg_restore arguments, the password
kept out of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from planner.core.backups import spec
from planner.core.backups.spec import BackupError, PgTarget

POSTGRES = {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": "planner",
    "HOST": "db.internal",
    "PORT": 5432,
    "USER": "planner",
    "PASSWORD": "s3cret-pa55word",
    "OPTIONS": {"sslmode": "require", "pool": True},
}
SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/planner/var/planner.sqlite3"}
ZURICH_WINTER = timezone(timedelta(hours=1))


def test_a_postgres_backup_is_named_for_its_database_and_the_utc_time():
    now = datetime(2027, 1, 1, 0, 30, tzinfo=ZURICH_WINTER)
    assert spec.backup_name(POSTGRES, now) == "planner-planner-20261231T233000Z.dump"


def test_an_sqlite_backup_is_named_for_its_file():
    now = datetime(2027, 3, 28, 1, 59, 59, tzinfo=UTC)
    assert spec.backup_name(SQLITE, now) == "planner-planner-20270328T015959Z.sqlite3"


def test_a_database_name_cannot_climb_out_of_the_backup_folder():
    now = datetime(2027, 3, 28, tzinfo=UTC)
    name = spec.backup_name({**POSTGRES, "NAME": "../../etc/x y"}, now)
    assert "/" not in name
    assert name == "planner-etc_x_y-20270328T000000Z.dump"


def test_a_partial_backup_is_hidden_beside_the_final_file_and_does_not_look_complete():
    partial = spec.partial_path(Path("/backups/planner-x.dump"), "ab12")
    assert partial == Path("/backups/.planner-x.dump.ab12.partial")
    assert not partial.name.endswith(".dump")


def test_pg_dump_writes_the_custom_format_to_the_given_file():
    args = spec.pg_dump_args("/usr/bin/pg_dump", PgTarget.from_settings(POSTGRES), Path("/b/x"))
    assert args == [
        "/usr/bin/pg_dump",
        "--format=custom",
        "--file=/b/x",
        "--no-password",
        "--host=db.internal",
        "--port=5432",
        "--username=planner",
        "--dbname=planner",
    ]


def test_pg_restore_runs_in_one_transaction_that_stops_at_the_first_error():
    args = spec.pg_restore_args("pg_restore", PgTarget.from_settings(POSTGRES), Path("/b/x"))
    for flag in ("--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"):
        assert flag in args
    assert args[-2:] == ["--dbname=planner", "/b/x"]


def test_the_password_is_in_the_childs_environment_and_never_in_its_arguments():
    target = PgTarget.from_settings(POSTGRES)
    argument_lists = [
        spec.pg_dump_args("pg_dump", target, Path("/b/x")),
        spec.pg_restore_args("pg_restore", target, Path("/b/x")),
        spec.pg_restore_list_args("pg_restore", Path("/b/x")),
    ]
    for args in argument_lists:
        assert not any("s3cret" in arg for arg in args)
    assert spec.pg_env(target, {"PATH": "/usr/bin"})["PGPASSWORD"] == "s3cret-pa55word"
    assert "s3cret" not in repr(target)


def test_connection_options_reach_the_tools_through_libpq_variables():
    env = spec.pg_env(PgTarget.from_settings(POSTGRES), {})
    assert env["PGSSLMODE"] == "require"
    assert env["PGCONNECT_TIMEOUT"] == "10"
    assert "pool" not in " ".join(env)


def test_without_a_password_the_environment_keeps_the_operators_own():
    target = PgTarget.from_settings({**POSTGRES, "PASSWORD": "", "HOST": "", "PORT": ""})
    assert spec.pg_env(target, {"PGPASSWORD": "from-pgpass"})["PGPASSWORD"] == "from-pgpass"
    assert target.connection_args() == ["--no-password", "--username=planner"]


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"PGDMP\x01\x0e\x00", "postgresql"),
        (b"SQLite format 3\x00\x10\x00", "sqlite"),
        (b"-- PostgreSQL database dump", None),
        (b"", None),
    ],
)
def test_a_file_is_recognised_by_its_first_bytes(head, kind):
    assert spec.kind_of_file(head) == kind


def test_the_tables_of_a_dump_are_read_from_its_listing():
    listing = (
        ";\n; Archive created at 2027-01-01 00:00:00 UTC\n;\n"
        "225; 1259 16451 TABLE public accounts_user planner\n"
        "230; 1259 16502 SEQUENCE public account_emailaddress_id_seq planner\n"
        "3601; 0 16451 TABLE DATA public accounts_user planner\n"
        "231; 1259 16503 TABLE public account_emailaddress planner\n"
    )
    assert spec.tables_in_listing(listing) == {"accounts_user", "account_emailaddress"}


def test_an_in_memory_database_has_nothing_to_back_up():
    with pytest.raises(BackupError, match="in memory"):
        spec.backup_name(
            {**SQLITE, "NAME": "file:memorydb_default?mode=memory&cache=shared"},
            datetime(2027, 1, 1, tzinfo=UTC),
        )


def test_other_engines_are_refused_by_name():
    with pytest.raises(BackupError, match="mysql"):
        spec.engine_of({"ENGINE": "django.db.backends.mysql", "NAME": "x"})


def test_a_tools_message_loses_the_password():
    assert spec.redact("auth failed for s3cret", "s3cret") == "auth failed for ********"
