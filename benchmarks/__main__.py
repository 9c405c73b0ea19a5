"""`make bench`: run every `benchmarks/bench_*.py` on a scratch database and print its figures."""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from pathlib import Path


def main() -> int:
    scratch = tempfile.mkdtemp(prefix="planner-bench-")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
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
