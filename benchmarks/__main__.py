"""`make bench`: run every `benchmarks/bench_*.py` on a scratch database and print its figures.

The scratch database is on PostgreSQL when a server answers (`DATABASE_URL`'s, else
127.0.0.1:5432), as in production, and is dropped at the end; else SQLite in a temporary
folder. `BENCH_DATABASE=sqlite` chooses SQLite.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg

from benchmarks.load import scratch


@contextlib.contextmanager
def _scratch_database() -> Iterator[str]:
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        server = scratch.DEFAULT_SERVER
    if os.environ.get("BENCH_DATABASE") != "sqlite":
        try:
            psycopg.connect(scratch.database_url(server, "postgres"), connect_timeout=2).close()
        except psycopg.OperationalError:
            pass
        else:
            with scratch.database(server, f"planner_bench_{secrets.token_hex(4)}") as url:
                yield url
            return
    yield f"sqlite:///{tempfile.mkdtemp(prefix='planner-bench-')}/bench.sqlite3"


def main() -> int:
    with _scratch_database() as url, _metrics_folder():
        os.environ["DATABASE_URL"] = url
        try:
            return _run()
        finally:
            from django.db import connections

            connections.close_all()


@contextlib.contextmanager
def _metrics_folder() -> Iterator[None]:
    """Metrics written as gunicorn's workers write them (multiprocess mode), to a folder
    removed at the end. Must be set before prometheus_client is imported."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="planner-bench-metrics-") as folder:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
        try:
            yield
        finally:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]


def _run() -> int:
    os.environ.setdefault("DEBUG", "true")
    os.environ["EMAIL_BACKEND"] = "memory"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planner.settings")

    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    # Serve as production does: DEBUG is on only so that the embedded defaults (SQLite,
    # the development key) pass the configuration checks. With it off, no query log and
    # no template debug information; and no test instrumentation, which copies every
    # template context for `response.context`.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]

    engine = "PostgreSQL" if os.environ["DATABASE_URL"].startswith("postgres") else "SQLite"
    print(f"Scratch database: {engine}")
    names = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    selected = [n for n in names if not sys.argv[1:] or any(a in n for a in sys.argv[1:])]
    for name in selected:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"== {name}")
        for figure in module.run():
            print(f"  {figure.line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
