"""gunicorn serving Planner as in production: DEBUG off, the production settings' checks
passed (a real key, PostgreSQL, the allowed host), whitenoise serving collected files;
over plain HTTP on the loopback (HTTPS=false, as a TLS proxy in front would have it)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from planner.config import BASE_DIR

STARTUP_SECONDS = 30.0
# Longer than gunicorn's default (2 s): at a person's pace (a request every 2 s) the
# server would close connections just as the next request is sent. A proxy in front
# holds browsers' connections in production; here the client talks to gunicorn itself.
KEEP_ALIVE_SECONDS = 10

# Django's logging configuration logs INFO to the console: no line for each health poll.
logging.getLogger("httpx").setLevel(logging.WARNING)


def production_environment(
    *, database_url: str, redis_url: str | None, run: str, secret_key: str
) -> dict[str, str]:
    """The environment for the run's processes; without Redis, a local cache and an
    in-memory broker."""
    return {
        "DJANGO_SETTINGS_MODULE": "benchmarks.load.settings",
        "PLANNER_LOAD_RUN": run,
        "DEBUG": "false",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
        "SITE_URL": "http://127.0.0.1",
        "CACHE_URL": redis_url or "locmem://",
        "CELERY_BROKER_URL": redis_url or "memory://",
        "EMAIL_BACKEND": "memory",
    }


def static_is_stale(manifest: Path, sources: Iterable[Path]) -> bool:
    """Collecting static files takes seconds (compression); collect again only when the
    manifest is missing or older than a source (our static files, or the lock file that
    pins the packages whose files are collected too)."""
    if not manifest.exists():
        return True
    collected = manifest.stat().st_mtime
    return any(source.stat().st_mtime > collected for source in sources)


def static_sources() -> list[Path]:
    return [p for p in (BASE_DIR / "static").rglob("*") if p.is_file()] + [BASE_DIR / "uv.lock"]


@contextmanager
def gunicorn(
    environment: dict[str, str], *, workers: int, threads: int, log: Path
) -> Iterator[str]:
    """Start gunicorn on a free loopback port, yield its base URL once /healthz answers;
    stop it at the end, whatever happened. The listening socket is bound here and handed
    over (fd://), so no other process can take the port in between."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    port = listener.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "planner.wsgi",
        f"--bind=fd://{listener.fileno()}",
        "--worker-class=gthread",
        f"--workers={workers}",
        f"--threads={threads}",
        f"--keep-alive={KEEP_ALIVE_SECONDS}",
        "--graceful-timeout=5",
        # gunicorn.conf.py (read from the working directory) recycles a worker every
        # ~1000 requests; a short run would measure Django starting instead of pages.
        "--max-requests=0",
        "--log-level=warning",
    ]
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            cwd=BASE_DIR,
            env={**os.environ, **environment},
            pass_fds=(listener.fileno(),),
            stdout=output,
            stderr=subprocess.STDOUT,
            # Its own process group: Ctrl-C reaches only us, and we stop it in order.
            start_new_session=True,
        )
    listener.close()
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(base_url, process, log)
        yield base_url
    finally:
        _stop(process)


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{tail(log)}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer /healthz in {STARTUP_SECONDS:.0f} s:\n{tail(log)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (gunicorn lets its workers finish), then SIGKILL to its group if it hangs."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
