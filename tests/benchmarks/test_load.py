"""`make load`'s pure parts (percentiles, the tick check, the report), and one short run
end to end: gunicorn, a scratch PostgreSQL database, three engineers."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import time

import psycopg
import pytest

from benchmarks.load import scratch, server
from benchmarks.load.client import LOOP
from benchmarks.load.report import RATIO_GOAL, Outcome, Phase, exit_status, goal_lines, render
from benchmarks.load.stats import Summary, percentile, summarize
from benchmarks.load.ticks import LostTick, Observed, TickLedger, lost_ticks
from planner.config import BASE_DIR, load_settings


def test_percentile_is_a_measured_value_by_nearest_rank():
    values = [float(v) for v in range(1, 101)]  # 1 .. 100
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0  # unsorted input
    assert percentile([7.0], 99) == 7.0
    assert percentile([1.0, 2.0], 1) == 1.0
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError, match="percentile"):
        percentile([1.0], 0)


def test_summary_counts_errors_in_the_rate_but_not_in_the_latencies():
    summary = summarize("tick", [0.010, 0.020, 0.030], errors=1, seconds=2.0)
    assert (summary.count, summary.errors, summary.rate) == (4, 1, 2.0)
    assert (summary.p50, summary.p99) == (0.020, 0.030)


def test_each_acknowledged_tick_flips_the_state_and_a_failed_one_is_repeated():
    ledger = TickLedger(task_id=7)
    assert ledger.next_action() == "done"
    ledger.record("done", ok=True)
    assert (ledger.state, ledger.next_action()) == ("done", "reopen")
    ledger.record("reopen", ok=False)
    assert (ledger.state, ledger.next_action(), ledger.uncertain) == ("done", "reopen", True)
    ledger.record("reopen", ok=True)
    assert (ledger.state, ledger.acknowledged, ledger.failed, ledger.uncertain) == (
        "open",
        2,
        1,
        False,
    )


def _ledger(task_id: int, state: str, acknowledged: int, uncertain: bool = False) -> TickLedger:
    return TickLedger(task_id, state, acknowledged, 0, uncertain)  # type: ignore[arg-type]


def test_ticks_the_database_kept_are_not_lost():
    ledgers = [_ledger(1, "done", 3), _ledger(2, "open", 4), _ledger(3, "open", 0)]
    observed = {1: Observed("done", 3), 2: Observed("open", 4), 3: Observed("open", 0)}
    assert lost_ticks(ledgers, observed) == []


def test_missing_feed_entries_and_a_wrong_final_status_are_lost_ticks():
    ledgers = [_ledger(1, "done", 5), _ledger(2, "done", 2), _ledger(3, "open", 2)]
    observed = {1: Observed("done", 3), 2: Observed("open", 2)}
    lost = lost_ticks(ledgers, observed)
    assert [(t.task_id, t.lost) for t in lost] == [(1, 2), (2, 1), (3, 2)]
    assert "5 ticks acknowledged, 3 recorded" in lost[0].why
    assert "status open" in lost[1].why
    assert lost[2].why == "task not found"


def test_after_a_failed_last_tick_the_status_is_not_held_against_the_run():
    # The failed "reopen" may have been applied: the status can be either.
    ledger = _ledger(1, "done", 1, uncertain=True)
    assert lost_ticks([ledger], {1: Observed("open", 2)}) == []
    assert lost_ticks([ledger], {1: Observed("done", 1)}) == []


def _phase(title: str, rate: float, p95: float, errors: int = 0) -> Phase:
    rows = [Summary(k, 10, 0, rate / 4, 0.010, p95, p95) for k in LOOP]
    return Phase(title, 5.0, rows, Summary("all", 40, errors, rate, 0.010, p95, p95), 0.1)


def _outcome(*, loop_rate: float, p95: float, errors: int = 0, lost: int = 0) -> Outcome:
    return Outcome(
        heading=["Planner load"],
        healthz=_phase("/healthz", 1000.0, 0.002),
        saturation=_phase("phase A", loop_rate, 0.2, errors),
        paced=_phase("phase B", 25.0, p95),
        acknowledged_ticks=12,
        lost=[LostTick(5, lost, "why")] if lost else [],
    )


def test_the_report_names_every_request_type_and_the_goals():
    text = render(_outcome(loop_rate=200.0, p95=0.120))
    for kind in [*LOOP, "all", "/healthz"]:
        assert kind in text
    assert "errors: 0" in text
    assert "lost ticks: 0 (of 12 acknowledged)" in text
    assert "goal met: loop/healthz 0.200" in text
    assert "goal met: paced p95 120.0 ms < 150 ms" in text
    assert "120.0" in text


def test_goals_are_reported_not_enforced():
    assert pytest.approx(2 * 84 / 1800) == RATIO_GOAL
    missed = _outcome(loop_rate=50.0, p95=0.200)
    assert goal_lines(missed.ratio, missed.paced.overall.p95) == [
        "goal not met: loop/healthz 0.050 < 0.093 (2 x 84/1,800, today's loop)",
        "goal not met: paced p95 200.0 ms >= 150 ms",
    ]
    assert exit_status(missed) == 0
    assert exit_status(_outcome(loop_rate=200.0, p95=0.1, errors=1)) == 1
    assert exit_status(_outcome(loop_rate=200.0, p95=0.1, lost=1)) == 1
    assert "goal not met: paced p95 -" in goal_lines(0.1, math.nan)[1]


def test_the_scratch_database_url_keeps_the_server_and_names_the_database():
    assert (
        scratch.database_url("postgres://postgres@127.0.0.1:5432/planner_test", "planner_load_x")
        == "postgres://postgres@127.0.0.1:5432/planner_load_x"
    )
    assert scratch.database_url(scratch.DEFAULT_SERVER, "postgres").endswith(":5432/postgres")


def test_the_servers_environment_passes_the_production_checks(monkeypatch):
    environment = server.production_environment(
        database_url="postgres://postgres@127.0.0.1:5432/planner_load_x",
        redis_url=None,
        run="abc",
        secret_key="k" * 40 + "0123456789abcdef",
    )
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    config = load_settings()  # raises ConfigurationError on a production misconfiguration
    assert not config.debug
    assert not config.uses_https  # plain HTTP on the loopback: no redirect, no Secure cookies
    assert config.cache_url == "locmem://"


def test_static_files_are_collected_again_only_when_a_source_is_newer(tmp_path):
    manifest, source = tmp_path / "staticfiles.json", tmp_path / "app.css"
    source.write_text("a")
    assert server.static_is_stale(manifest, [source])
    manifest.write_text("{}")
    os.utime(source, (1_000, 1_000))
    assert not server.static_is_stale(manifest, [source])
    os.utime(source, (manifest.stat().st_mtime + 10,) * 2)
    assert server.static_is_stale(manifest, [source])


@pytest.mark.postgres
@pytest.mark.redis
def test_a_short_run_against_gunicorn_loses_no_tick():
    """Three engineers on two plans, a few seconds a phase: every request answers, every
    acknowledged tick is in the database, and the report names every request type."""
    started = time.monotonic()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.load",
            *("--plans", "2", "--engineers", "3", "--workers", "2", "--threads", "2"),
            *("--healthz-seconds", "1.5", "--saturation-seconds", "3"),
            *("--paced-seconds", "3", "--pace", "0.5", "--budget", "60"),
        ],
        cwd=BASE_DIR,
        env={k: v for k, v in os.environ.items() if not k.startswith("LOAD_")},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "errors: 0" in run.stdout, output
    assert "lost ticks: 0 (of " in run.stdout, output
    for kind in LOOP:
        assert f"\n  {kind} " in run.stdout, (kind, output)
    assert "\n/healthz: " in run.stdout
    assert time.monotonic() - started < 60
    # The scratch database is gone.
    name = re.search(r"PostgreSQL \((planner_load_\w+)\)", run.stdout)
    assert name, output
    admin = scratch.database_url(os.environ["DATABASE_URL"], "postgres")
    with psycopg.connect(admin) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name.group(1),)
        ).fetchone()
    assert found is None
