"""The settings model: development defaults, and a production start that refuses them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from planner.config import ConfigurationError, Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": GOOD_KEY,
    "DATABASE_URL": "postgres://planner:secret@db.internal:5432/planner",
    "ALLOWED_HOSTS": "planner.example.com",
    "SITE_URL": "https://planner.example.com",
}


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch):
    for name in list(os.environ):
        if name in Settings.model_fields or name in {
            f.alias for f in Settings.model_fields.values()
        }:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(ROOT / "tests")  # no .env here

    def set_env(values: dict[str, str]) -> None:
        for key, value in values.items():
            monkeypatch.setenv(key, value)

    return set_env


def test_development_defaults_are_embedded(environ):
    environ({"DEBUG": "true"})
    settings = Settings(_env_file=None)
    assert settings.database_url.startswith("sqlite:///")
    assert "var/planner.sqlite3" in settings.database_url
    assert settings.celery_broker_url == "filesystem://localhost/"
    assert settings.email_backend == "file"
    assert settings.effective_allowed_hosts() == ["localhost", "127.0.0.1", "[::1]"]


def test_production_accepts_real_values(environ):
    environ(PRODUCTION)
    settings = load_settings()
    assert settings.allowed_hosts == ["planner.example.com"]
    assert settings.uses_https


@pytest.mark.parametrize(
    ("override", "variable"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "django-insecure-" + "x" * 60}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DATABASE_URL": "sqlite:///var/planner.sqlite3"}, "DATABASE_URL"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"EMAIL_PORT": "seventy"}, "EMAIL_PORT"),
        ({"TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE"),
        ({"SITE_URL": "planner.example.com"}, "SITE_URL"),
        ({"SITE_URL": "http://planner.example.com"}, "SITE_URL"),
        ({"LANGUAGE_CODE": "fr"}, "LANGUAGE_CODE"),
    ],
)
def test_production_start_names_the_bad_variable(environ, override, variable):
    environ({**PRODUCTION, **override})
    with pytest.raises(ConfigurationError, match=variable):
        load_settings()


def test_production_says_why_site_url_must_be_https(environ):
    environ({**PRODUCTION, "SITE_URL": "http://planner.example.com"})
    with pytest.raises(ConfigurationError, match="SITE_URL must be an https:// address") as error:
        load_settings()
    assert "unsubscribe" in str(error.value)


def test_a_plain_http_trial_may_use_an_http_site_url(environ):
    environ({**PRODUCTION, "HTTPS": "false", "SITE_URL": "http://localhost:8000"})
    assert load_settings().site_url == "http://localhost:8000"


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    unset = {"DEBUG", "DATABASE_URL", "EMAIL_BACKEND", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manage_py_fails_at_once_without_secret_key():
    result = _manage("check", env={**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
