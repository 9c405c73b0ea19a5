"""gunicorn with `gunicorn.conf.py`, as in production: DEBUG off, PostgreSQL, Redis as the
cache, whitenoise serving the collected, hashed static files.

The scratch database is created and dropped here but not migrated: the requests made
(the sign-in page without a session, a static file, the probes) read no table, and
migrating an empty database takes this suite's machine about 20 s. Collected static
files are kept under `var/test-static/` and collected again only when a source is newer
(collecting compresses every file: about 12 s).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
STATIC_ROOT = ROOT / "var" / "test-static"
SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
# A worker's first request loads Django's URLs and templates: seconds on a busy machine.
TIMEOUT = 30.0


def _static_is_stale(manifest: Path) -> bool:
    if not manifest.exists():
        return True
    collected = manifest.stat().st_mtime
    sources = [p for p in (ROOT / "static").rglob("*") if p.is_file()] + [ROOT / "uv.lock"]
    return any(source.stat().st_mtime > collected for source in sources)


@pytest.fixture(scope="module")
def environment() -> Iterator[dict[str, str]]:
    name = f"planner_gunicorn_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(SERVER, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "planner.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
        "SITE_URL": "http://127.0.0.1",
        "CACHE_URL": "redis://127.0.0.1:6379/14",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",
        "EMAIL_BACKEND": "memory",
        "STATIC_ROOT": str(STATIC_ROOT),
        "WEB_CONCURRENCY": "2",
        "LOG_FORMAT": "json",
    }
    env.pop("LOG_LEVEL", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    try:
        if _static_is_stale(STATIC_ROOT / "staticfiles.json"):
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--no-input", "--clear", "-v", "0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
        yield env
    finally:
        with psycopg.connect(SERVER, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


class Gunicorn:
    def __init__(self, env: dict[str, str], tmp: Path) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        self.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        self.stdout_path, self.stderr_path = tmp / "stdout.log", tmp / "stderr.log"
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            # gunicorn.conf.py from the working directory; only the socket differs.
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "planner.wsgi",
                    f"--bind=fd://{listener.fileno()}",
                ],
                cwd=ROOT,
                env=env,
                pass_fds=(listener.fileno(),),
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        listener.close()

    def wait_until_healthy(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.stderr()
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not answer:\n{self.stderr()}")

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def access_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout().splitlines() if line.startswith("{")]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture(scope="module")
def gunicorn(environment: dict[str, str], tmp_path_factory: pytest.TempPathFactory):
    server = Gunicorn(environment, tmp_path_factory.mktemp("gunicorn"))
    try:
        server.wait_until_healthy()
        yield server
    finally:
        server.stop()


def _access_line(server: Gunicorn, request_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for line in server.access_lines():
            if line.get("request_id") == request_id:
                return line
        time.sleep(0.05)
    raise AssertionError(f"no access line for {request_id}:\n{server.stdout()}")


def test_page_answers_with_a_request_id_and_one_json_access_line(gunicorn: Gunicorn):
    response = httpx.get(
        f"{gunicorn.url}/accounts/login/", headers={"User-Agent": "probe/1"}, timeout=TIMEOUT
    )
    assert response.status_code == 200
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    line = _access_line(gunicorn, request_id)
    assert line["logger"] == "gunicorn.access"
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["path"] == "/accounts/login/"
    assert line["status"] == 200
    assert line["bytes"] == len(response.content)
    assert line["user_agent"] == "probe/1"
    assert isinstance(line["duration_ms"], float)
    assert line["timestamp"].endswith("+00:00")


def test_a_sane_request_id_from_the_proxy_is_kept(gunicorn: Gunicorn):
    response = httpx.get(
        f"{gunicorn.url}/accounts/login/", headers={"X-Request-ID": "edge-42.a_b"}, timeout=TIMEOUT
    )
    assert response.headers["X-Request-ID"] == "edge-42.a_b"
    assert _access_line(gunicorn, "edge-42.a_b")["status"] == 200


def test_a_secret_path_is_redacted_in_the_access_line(gunicorn: Gunicorn):
    token = secrets.token_urlsafe(24)
    response = httpx.get(f"{gunicorn.url}/calendar/{token}/my-tasks.ics?x={token}", timeout=TIMEOUT)
    line = _access_line(gunicorn, response.headers["X-Request-ID"])
    assert line["path"] == "/calendar/[redacted]"
    assert token not in gunicorn.stdout()


def test_pages_link_hashed_static_files_cached_for_good(gunicorn: Gunicorn):
    page = httpx.get(f"{gunicorn.url}/accounts/login/", timeout=TIMEOUT).text
    hashed = re.search(r"/static/css/planner\.[0-9a-f]{12}\.css", page)
    assert hashed, page
    response = httpx.get(f"{gunicorn.url}{hashed.group(0)}", timeout=TIMEOUT)
    assert response.status_code == 200
    cache_control = response.headers["Cache-Control"]
    assert "immutable" in cache_control
    assert "public" in cache_control
    assert int(re.search(r"max-age=(\d+)", cache_control).group(1)) >= 31536000  # type: ignore[union-attr]


def test_unhashed_static_names_are_cached_briefly(gunicorn: Gunicorn):
    response = httpx.get(f"{gunicorn.url}/static/css/planner.css", timeout=TIMEOUT)
    assert response.status_code == 200
    assert "immutable" not in response.headers["Cache-Control"]
    assert re.search(r"max-age=(\d+)", response.headers["Cache-Control"]).group(1) == "60"  # type: ignore[union-attr]


def test_sighup_reloads_and_sigterm_stops_gracefully(gunicorn: Gunicorn):
    gunicorn.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 20
    while "Hang up" not in gunicorn.stderr() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "Hang up" in gunicorn.stderr()
    gunicorn.wait_until_healthy()  # the new workers answer
    assert httpx.get(f"{gunicorn.url}/accounts/login/", timeout=TIMEOUT).status_code == 200
    started = time.monotonic()
    gunicorn.process.send_signal(signal.SIGTERM)
    assert gunicorn.process.wait(timeout=30) == 0  # within graceful_timeout
    assert time.monotonic() - started < 30
    assert "Shutting down" in gunicorn.stderr()
    errors = [json.loads(line) for line in gunicorn.stderr().splitlines() if line.startswith("{")]
    assert errors
    assert all(line["logger"].startswith(("gunicorn", "django", "planner")) for line in errors)
