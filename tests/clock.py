"""The suite's clock: the real one, or a chosen instant that then ticks on.

`PLANNER_TEST_NOW=2027-03-28T03:30:00+02:00 pytest` runs every test as if it started at
that instant, the clock ticking from there (time-machine: every `timezone.now()`,
`date.today()` and `time.time()` of the test process moves with it). Each test starts at
the instant itself, not seconds later when its turn comes, so "a second before the
reminder hour" holds for every test.

`make test-clock` (`python -m tests.clock [pytest arguments]`) runs the suite at each of
`INSTANTS`, where calendar bugs show. A test that depends on the clock sets it itself;
these runs are how we know that no other test does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import time_machine

VARIABLE = "PLANNER_TEST_NOW"

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


@contextmanager
def each_test() -> Iterator[None]:
    """Back to the chosen instant for one test (nothing with the real clock)."""
    instant = chosen_instant()
    if instant is None:
        yield
        return
    with time_machine.travel(instant, tick=True):
        yield


def describe() -> str:
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
        )
    ),
)


def main(argv: list[str]) -> int:
    """Run the suite (or the pytest arguments given) at each instant; report which failed."""
    import subprocess
    import sys
    import time

    # Without schemathesis's pytest plugin, whose tests are not in these runs: it costs
    # each of the runs' processes seconds to load.
    arguments = argv or ["-n", "auto", "-p", "no:schemathesis", *PATHS]
    failed = []
    for instant, why in INSTANTS:
        started = time.monotonic()
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments],
            env={**os.environ, VARIABLE: instant},
            capture_output=True,
            text=True,
            check=False,
        )
        took = time.monotonic() - started
        summary = (run.stdout.strip().splitlines() or ["no output"])[-1]
        print(f"{instant}  {why}: {summary} ({took:.0f} s)", flush=True)
        if run.returncode != 0:
            failed.append(instant)
            print(run.stdout[-6000:], run.stderr[-2000:], sep="\n", flush=True)
    if failed:
        print(f"Failed at {len(failed)} of {len(INSTANTS)} instants: {', '.join(failed)}")
        return 1
    print(f"Passed at all {len(INSTANTS)} instants.")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
