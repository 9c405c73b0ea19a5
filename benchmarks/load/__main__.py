"""`make load` / `python -m benchmarks.load [options]`: build the data, start gunicorn,
run the phases, check the ticks, print the report; clean up whatever happens.

Options fall back to environment variables (LOAD_PLANS, LOAD_ENGINEERS, ...), so that
`make load LOAD_PLANS=50` works too. The default run fits in two minutes.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

from benchmarks.load import scratch, server
from benchmarks.load.client import HEALTHZ, LOOP, PhaseRun, connect, run_phase, warm_up
from benchmarks.load.report import Outcome, Phase, exit_status, render
from benchmarks.load.stats import summarize
from benchmarks.load.ticks import lost_ticks

RESERVE_SECONDS = 8.0  # warm-up, the tick check and the clean-up, within the budget


def _env(name: str, default: str) -> str:
    return os.environ.get(f"LOAD_{name}", default)


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__)
    add = parser.add_argument
    add("--plans", type=int, default=int(_env("PLANS", "223")), help="running plans (223)")
    add("--engineers", type=int, default=int(_env("ENGINEERS", "50")), help="engineers (50)")
    add("--workers", type=int, default=int(_env("WORKERS", "4")), help="gunicorn workers (4)")
    add("--threads", type=int, default=int(_env("THREADS", "4")), help="threads each (4)")
    add("--healthz-seconds", type=float, default=float(_env("HEALTHZ_SECONDS", "5")))
    add("--saturation-seconds", type=float, default=float(_env("SATURATION_SECONDS", "20")))
    add("--paced-seconds", type=float, default=float(_env("PACED_SECONDS", "35")))
    add("--pace", type=float, default=float(_env("PACE", "2")), help="seconds between requests")
    add("--budget", type=float, default=float(_env("BUDGET", "120")), help="whole run, seconds")
    add("--database", default=_env("DATABASE", ""), help="scratch database name (random)")
    add(
        "--redis-url",
        default=_env("REDIS_URL", "redis://127.0.0.1:6379/9"),
        help="cache and broker ('none': a local cache, an in-memory broker)",
    )
    return parser.parse_args(argv)


def _interrupt_on_sigterm() -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


class Stopwatch:
    """Named durations of the setup, for the report's heading."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def time(self, name: str, action: Callable[[], object]) -> None:
        started = time.perf_counter()
        action()
        self.parts.append(f"{name} {time.perf_counter() - started:.1f} s")


def main(argv: Sequence[str]) -> int:
    started = time.monotonic()
    options = parse(argv)
    _interrupt_on_sigterm()
    run = secrets.token_hex(4)
    name = options.database or f"planner_load_{run}"
    configured = os.environ.get("DATABASE_URL", "")
    server_url = configured if configured.startswith("postgres") else scratch.DEFAULT_SERVER
    redis_url = None if options.redis_url == "none" else options.redis_url
    namespace = f"planner-load-{run}"
    try:
        with scratch.database(server_url, name) as url:
            return _run(options, started, run, url, name, redis_url)
    finally:
        if redis_url:
            scratch.remove_redis_keys(redis_url, namespace)


def _run(
    options: argparse.Namespace,
    started: float,
    run: str,
    database_url: str,
    name: str,
    redis_url: str | None,
) -> int:
    environment = server.production_environment(
        database_url=database_url,
        redis_url=redis_url,
        run=run,
        secret_key=secrets.token_urlsafe(64),
    )
    os.environ.update(environment)
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    from benchmarks.load import data

    setup = Stopwatch()
    setup.time("migrate", lambda: call_command("migrate", verbosity=0))
    slugs: list[str] = []
    setup.time("plans", lambda: slugs.extend(data.build_plans(options.plans)))
    engineers = data.pick_engineers(slugs, options.engineers)
    mark = data.feed_mark()
    manifest = settings.STATIC_ROOT and Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest and server.static_is_stale(manifest, server.static_sources()):
        setup.time(
            "collectstatic", lambda: call_command("collectstatic", interactive=False, verbosity=0)
        )
    connections.close_all()  # gunicorn's workers need the connections, not us

    stop = threading.Event()
    log = Path(tempfile.mkdtemp(prefix="planner-load-")) / "gunicorn.log"
    server_started = time.perf_counter()
    with server.gunicorn(
        environment, workers=options.workers, threads=options.threads, log=log
    ) as base:
        setup.parts.append(f"gunicorn {time.perf_counter() - server_started:.1f} s")
        connections_ = [connect(base, e, settings.SESSION_COOKIE_NAME) for e in engineers]
        warm_up(connections_, settings.CSRF_COOKIE_NAME, stop)
        durations, notes = _fit(options, time.monotonic() - started)
        healthz_s, saturation_s, paced_s = durations
        healthz = run_phase(connections_, [HEALTHZ], healthz_s, stop)
        saturation = run_phase(connections_, LOOP, saturation_s, stop)
        paced = run_phase(connections_, LOOP, paced_s, stop, pace=options.pace)
        for connection in connections_:
            connection.close()
    lost = lost_ticks(
        [e.ledger for e in engineers], data.observe([e.task_id for e in engineers], mark)
    )
    connections.close_all()
    problems = [*healthz.samples.problems, *saturation.samples.problems, *paced.samples.problems]
    outcome = Outcome(
        heading=[
            f"Planner load: {options.plans} running plans, {options.engineers} engineers with "
            f"their own sessions; gunicorn {options.workers} workers x {options.threads} "
            f"threads (gthread), PostgreSQL ({name}), "
            + (f"Redis ({redis_url})" if redis_url else "no Redis"),
            f"setup: {', '.join(setup.parts)}",
        ],
        healthz=_phase("/healthz", healthz, [HEALTHZ]),
        saturation=_phase(
            "phase A, saturation (each engineer loops as fast as it can)", saturation, LOOP
        ),
        paced=_phase(
            f"phase B, realistic pace (each engineer a request every {options.pace:g} s)",
            paced,
            LOOP,
        ),
        acknowledged_ticks=sum(e.ledger.acknowledged for e in engineers),
        lost=lost,
        notes=[*notes, *(f"error: {p}" for p in problems)],
    )
    print(render(outcome), flush=True)
    print(f"total {time.monotonic() - started:.0f} s")
    return exit_status(outcome)


def _fit(
    options: argparse.Namespace, elapsed: float
) -> tuple[tuple[float, float, float], list[str]]:
    """The phases' durations, shortened alike if the setup left too little of the budget."""
    wanted = (options.healthz_seconds, options.saturation_seconds, options.paced_seconds)
    left = options.budget - elapsed - RESERVE_SECONDS
    if sum(wanted) <= left:
        return wanted, []
    factor = max(left, 0.0) / sum(wanted)
    fitted = (wanted[0] * factor, wanted[1] * factor, wanted[2] * factor)
    return fitted, [
        f"note: phases shortened to {factor:.0%} to fit the {options.budget:.0f} s budget "
        f"(setup took {elapsed:.0f} s)"
    ]


def _phase(title: str, run: PhaseRun, kinds: Sequence[str]) -> Phase:
    samples = run.samples
    types = [summarize(k, samples.latencies[k], samples.errors[k], run.seconds) for k in kinds]
    every = [t for k in kinds for t in samples.latencies[k]]
    overall = summarize("all", every, sum(samples.errors[k] for k in kinds), run.seconds)
    return Phase(
        title, run.seconds, types if len(kinds) > 1 else [], overall, run.cpu / run.seconds
    )


if __name__ == "__main__":
    try:
        raise SystemExit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        # The context managers have stopped gunicorn and dropped the database by now.
        print("interrupted: gunicorn stopped, scratch database dropped", file=sys.stderr)
        raise SystemExit(130) from None
