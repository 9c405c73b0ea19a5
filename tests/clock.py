"""The suite's clock: the real one, or a chosen instant that then ticks on.

`PLANNER_TEST_NOW=2027-03-28T03:30:00+02:00 pytest` runs every test as if it started at
that instant, the clock ticking from there (time-machine: every `timezone.now()`,
`date.today()` and `time.time()` of the test process moves with it). Each test starts at
the instant itself, not seconds later when its turn comes, so "a second before the
reminder hour" holds for every test.

`make test-clock` (`python -m tests.clock [pytest arguments]`) runs the suite at each of
`INSTANTS`, where calendar bugs show, in one pytest session: with `PLANNER_TEST_CLOCK=all`
every test is run once per instant (its id ends in the instant's name, e.g.
`[clock:spring-change]`). A test that depends on the clock sets it itself; these runs are
how we know that no other test does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import time_machine

VARIABLE = "PLANNER_TEST_NOW"
# Set to "all" by `make test-clock`: every test runs at each of INSTANTS.
ALL_VARIABLE = "PLANNER_TEST_CLOCK"

_travel: time_machine.travel | None = None


def chosen_instant() -> datetime | None:
    """The instant from the environment, or None for the real clock."""
    raw = os.environ.get(VARIABLE, "").strip()
    if not raw:
        return None
    try:
        instant = datetime.fromisoformat(raw)
    except ValueError:
        raise SystemExit(
            f"{VARIABLE}={raw!r} is not an ISO 8601 instant, e.g. 2027-03-28T03:30:00+02:00"
        ) from None
    if instant.tzinfo is None:
        raise SystemExit(f"{VARIABLE}={raw!r} needs a UTC offset, e.g. 2027-03-28T03:30:00+02:00")
    return instant


def start() -> None:
    """Travel to the chosen instant, if any, with the clock ticking from there."""
    global _travel
    instant = chosen_instant()
    if instant is not None and _travel is None:
        _travel = time_machine.travel(instant, tick=True)
        _travel.start()


def stop() -> None:
    global _travel
    if _travel is not None:
        _travel.stop()
        _travel = None


def every_instant() -> bool:
    return os.environ.get(ALL_VARIABLE, "").strip() == "all"


@contextmanager
def each_test(instant: datetime | None = None) -> Iterator[None]:
    """Back to the chosen instant (or `instant`) for one test (nothing with the real clock)."""
    instant = instant or chosen_instant()
    if instant is None:
        yield
        return
    with time_machine.travel(instant, tick=True):
        yield


def describe() -> str:
    if every_instant():
        return f"Clock: every test at each of {len(INSTANTS)} instants ({ALL_VARIABLE}=all)"
    instant = chosen_instant()
    if instant is None:
        return "Clock: real"
    return f"Clock: every test starts at {instant.isoformat()} ({VARIABLE}), ticking"


# The instants `make test-clock` runs the suite at, each for a calendar bug it would show.
INSTANTS: tuple[tuple[str, str], ...] = (
    ("2027-02-01T08:59:50+01:00", "a Monday, ten seconds before the reminder hour in Zurich"),
    ("2027-02-01T09:00:10+01:00", "ten seconds after the reminder hour"),
    ("2026-12-06T23:50:00+01:00", "late on a Sunday in Zurich"),
    ("2026-12-07T00:30:00+01:00", "Monday in Zurich, still Sunday in UTC"),
    ("2027-04-30T23:30:00+02:00", "the last day of a month"),
    ("2026-12-31T23:30:00+01:00", "the last day of a year"),
    ("2027-01-01T00:30:00+01:00", "a new year in Zurich, still the old one in UTC"),
    ("2027-03-28T03:30:00+02:00", "the spring clock change, just after 02:00 became 03:00"),
    ("2027-10-31T02:30:00+01:00", "the autumn clock change, in the hour that comes twice"),
)

# Every test that reads the clock and whose clock is ours to move. Left out: the browser
# tests (Chromium keeps the real clock) and the integration tests (their Celery worker and
# mail server do), which run at the real hour in `make test`; and tests of what takes no
# clock at all (the playbook files, the pure plan generator and scheduler, the tool routing,
# targets and why lines of generated plans, settings, the catalogue, the German glossary, the
# compose file, `make run` and `manage.py` in a bare checkout, the probes and a cache outage,
# the security headers), more than half of the suite's tests.
# Short names for the test ids of a clock run, in the order of INSTANTS.
NAMES = (
    "before-reminder-hour",
    "after-reminder-hour",
    "sunday-night",
    "monday-in-zurich-sunday-in-utc",
    "month-end",
    "year-end",
    "new-year-in-zurich",
    "spring-change",
    "autumn-change",
)


def instant_params() -> list[tuple[str, datetime]]:
    """(name, instant) of each of INSTANTS, for the suite's parametrisation."""
    return [
        (name, datetime.fromisoformat(instant))
        for name, (instant, _why) in zip(NAMES, INSTANTS, strict=True)
    ]


PATHS = (
    "tests",
    *(
        f"--ignore=tests/{path}"
        for path in (
            "browser",
            "integration",
            "playbook",
            "plans/test_generator_properties.py",
            "plans/test_personas.py",
            "plans/test_scheduling.py",
            "plans/test_routing.py",
            "plans/test_kpi_targets.py",
            "plans/test_why_lines.py",
            "test_glossary.py",
            "core/test_config.py",
            "core/test_translations.py",
            "core/test_compose.py",
            "core/test_make_run.py",
            "core/test_probes.py",
            "core/test_cache_outage.py",
            "core/test_security_headers.py",
            "reminders/test_spam_score.py",
            # These set their own clock for every test (the API's and the exports' plans
            # run at a fixed instant, the recipes at Prometheus's time), or do not read it
            # (addresses, signatures, pages, two senders at once): the runs below would
            # only repeat them. The webhooks' phase summaries and events stay in.
            "api",
            "exports",
            "webhooks/test_addresses.py",
            "webhooks/test_concurrency.py",
            "webhooks/test_pages.py",
            "webhooks/test_recipe.py",
            "webhooks/test_sending.py",
            # Operating Planner: deployment files (compose, Prometheus, Grafana, Kubernetes),
            # backups (file names at a fixed instant), logs, gunicorn's config and who may
            # read metrics take no clock of the plans.
            "deploy",
            "core/test_backup_postgres.py",
            "core/test_backup_spec.py",
            "core/test_backup_sqlite.py",
            "core/test_gunicorn_conf.py",
            "core/test_logs.py",
            "core/test_no_secrets_in_logs.py",
            "observability/test_access.py",
            "observability/test_multiprocess.py",
            # `make load`'s pure parts read no clock; its short run happens in processes
            # of its own on the real clock, which a clock run could not move.
            "benchmarks",
        )
    ),
)


def main(argv: list[str]) -> int:
    """Run the suite (or the pytest arguments given) at every instant, in one session; report
    the instants whose tests failed."""
    import re
    import subprocess
    import sys

    # Without schemathesis's pytest plugin, whose tests are not in these runs: it costs
    # each of the run's processes seconds to load.
    arguments = argv or ["-n", "auto", "-p", "no:schemathesis", *PATHS]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf", *arguments],
        env={**os.environ, ALL_VARIABLE: "all"},
        capture_output=True,
        text=True,
        check=False,
    )
    summary = (run.stdout.strip().splitlines() or ["no output"])[-1]
    print(f"{len(INSTANTS)} instants: {summary}", flush=True)
    if run.returncode != 0:
        failed = sorted(set(re.findall(r"\[(?:[^\]]*-)?clock:([\w-]+)\]", run.stdout)))
        why = dict(zip(NAMES, (w for _i, w in INSTANTS), strict=True))
        for name in failed:
            print(f"Failed at {name}: {why.get(name, '')}")
        print(run.stdout[-8000:], run.stderr[-2000:], sep="\n", flush=True)
        return 1
    print(f"Passed at all {len(INSTANTS)} instants.")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
