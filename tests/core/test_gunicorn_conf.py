"""gunicorn.conf.py: its knobs from the environment, its access line, its Prometheus hooks."""

from __future__ import annotations

import logging
import runpy
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from planner.core.logs import SECRET_PATH

ROOT = Path(__file__).resolve().parents[2]


def load(monkeypatch, **env: str) -> dict[str, Any]:
    for name in ("PORT", "WEB_CONCURRENCY", "WEB_THREADS", "LOG_FORMAT", "DEBUG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_defaults_bind_port_8000_with_workers_from_the_cpus(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    conf = load(monkeypatch)
    assert conf["bind"] == "0.0.0.0:8000"
    assert conf["workers"] == 5
    assert conf["threads"] == 2
    assert (conf["timeout"], conf["graceful_timeout"]) == (30, 30)
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (1000, 100)


def test_workers_are_capped_at_eight(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 16)
    assert load(monkeypatch)["workers"] == 8


def test_the_environment_sets_port_workers_and_threads(monkeypatch):
    conf = load(monkeypatch, PORT="9000", WEB_CONCURRENCY="3", WEB_THREADS="4")
    assert (conf["bind"], conf["workers"], conf["threads"]) == ("0.0.0.0:9000", 3, 4)


def test_log_format_follows_the_app_rule(monkeypatch):
    def formatter(conf: dict[str, Any]) -> Any:
        return conf["logconfig_dict"]["formatters"]["structured"]

    assert "()" in formatter(load(monkeypatch))  # JSON by default
    assert "format" in formatter(load(monkeypatch, DEBUG="true"))
    assert "()" in formatter(load(monkeypatch, DEBUG="true", LOG_FORMAT="json"))


def test_the_access_filter_redacts_as_the_app_does(monkeypatch):
    conf = load(monkeypatch)
    assert conf["_SECRET_PATH"].pattern == SECRET_PATH.pattern
    atoms = {
        "m": "GET",
        "U": "/invitations/s3cret/",
        "s": "200",
        "B": 512,
        "D": 12345,
        "a": 'curl/8 "x"',
        "h": "10.0.0.1",
        "{x-request-id}o": "abcd1234",
    }
    record = logging.LogRecord("gunicorn.access", logging.INFO, "", 0, "%(s)s", (), None)
    record.args = atoms
    assert conf["AccessFields"]().filter(record)
    assert record.getMessage() == "GET /invitations/[redacted] 200"
    assert (record.status, record.bytes, record.duration_ms) == (200, 512, 12.3)  # type: ignore[attr-defined]
    assert record.request_id == "abcd1234"  # type: ignore[attr-defined]


def test_prometheus_hooks_empty_the_folder_and_mark_dead_workers(monkeypatch, tmp_path: Path):
    folder = tmp_path / "metrics"
    conf = load(monkeypatch)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    conf["on_starting"](None)
    assert folder.is_dir()
    (folder / "counter_41.db").write_bytes(b"")
    (folder / "gauge_livesum_42.db").write_bytes(b"")
    (folder / "keep.txt").write_text("not ours")
    conf["on_starting"](None)
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"]
    (folder / "gauge_livesum_42.db").write_bytes(b"")
    (folder / "counter_42.db").write_bytes(b"")
    conf["child_exit"](None, SimpleNamespace(pid=42))
    # A dead worker's live gauges go; its counters still count.
    assert sorted(p.name for p in folder.iterdir()) == ["counter_42.db", "keep.txt"]


def test_prometheus_hooks_do_nothing_without_the_folder(monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    conf = load(monkeypatch)
    conf["on_starting"](None)
    conf["child_exit"](None, SimpleNamespace(pid=1))


def test_the_image_serves_with_the_config_and_a_metrics_folder():
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = 'CMD ["gunicorn", "planner.wsgi", "--config", "gunicorn.conf.py"]'
    assert cmd in dockerfile.splitlines()
    assert "PROMETHEUS_MULTIPROC_DIR=/tmp/planner-metrics" in dockerfile
