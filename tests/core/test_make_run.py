"""What a newcomer meets with `make run` and `manage.py`: links that follow the port, commands
that work without configuration, and no warnings they cannot place."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from kombu import Connection

from planner.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def _bare_env(**extra: str) -> dict[str, str]:
    """The environment of a fresh shell in the checkout: none of Planner's settings."""
    ours = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "SITE_URL", "CELERY_BROKER_URL", "CI"}
    env = {k: v for k, v in os.environ.items() if k not in ours and not k.startswith("PLANNER")}
    return {**env, **extra}


def _dry_run(**env: str) -> str:
    # make -n prints the recipe with make's variables expanded and runs nothing.
    done = subprocess.run(
        ["make", "-n", "run", *(f"{k}={v}" for k, v in env.items() if k == "PORT")],
        cwd=ROOT,
        env=_bare_env(**{k: v for k, v in env.items() if k != "PORT"}),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_links_in_emails_follow_the_port_of_make_run():
    assert "their links point at http://127.0.0.1:8123." in _dry_run(PORT="8123")
    assert "honcho start -f Procfile -p 8123" in _dry_run(PORT="8123")
    assert "their links point at http://127.0.0.1:8000." in _dry_run()


def test_a_site_url_that_is_set_wins_over_the_port():
    printed = _dry_run(PORT="8123", SITE_URL="https://planner.example.org")
    assert "their links point at https://planner.example.org." in printed


def test_manage_py_works_in_a_checkout_without_configuration():
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_bare_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Configuration error" not in done.stderr


def test_manage_py_in_a_deployment_follows_its_environment():
    # With a SECRET_KEY set, nothing is assumed: DEBUG off and a short key is refused.
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_bare_env(SECRET_KEY="short"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr


def test_the_default_broker_names_its_host(monkeypatch, caplog):
    monkeypatch.setenv("DEBUG", "true")
    url = Settings(_env_file=None).celery_broker_url
    with caplog.at_level(logging.WARNING), Connection(url) as connection:
        assert connection.hostname == "localhost"
        connection.info()
    assert "No hostname was supplied" not in caplog.text
