"""Planner's configuration: one pydantic-settings model, read from the environment and `.env`.

`planner/settings.py` turns this model into Django settings; nothing else reads the
environment. Development gets embedded defaults (SQLite, a filesystem Celery broker, email
to files, all under `var/`); a production start (DEBUG off) refuses insecure defaults.
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# A key Django itself would call insecure; good enough for a laptop, refused in production.
DEVELOPMENT_SECRET_KEY = "django-insecure-planner-development-key-do-not-use-in-production"  # noqa: S105 - refused when DEBUG is off

EmailBackend = Literal["file", "smtp", "console", "memory"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class ConfigurationError(Exception):
    """A setting is missing or unsafe; the message names the variable to fix."""


class Settings(BaseSettings):
    """Every knob Planner has. The README's configuration table mirrors this model."""

    model_config = SettingsConfigDict(
        env_file=BASE_DIR / ".env", env_file_encoding="utf-8", extra="ignore"
    )

    debug: bool = Field(default=False, alias="DEBUG")
    secret_key: SecretStr = Field(default=SecretStr(""), alias="SECRET_KEY")
    allowed_hosts: Annotated[list[str], NoDecode] = Field(default=[], alias="ALLOWED_HOSTS")
    site_url: str = Field(default="http://127.0.0.1:8000", alias="SITE_URL")
    database_url: str = Field(
        default=f"sqlite:///{VAR_DIR / 'planner.sqlite3'}", alias="DATABASE_URL"
    )
    cache_url: str = Field(default="locmem://", alias="CACHE_URL")
    celery_broker_url: str = Field(default="filesystem://localhost/", alias="CELERY_BROKER_URL")

    email_backend: EmailBackend = Field(default="file", alias="EMAIL_BACKEND")
    email_host: str = Field(default="localhost", alias="EMAIL_HOST")
    email_port: int = Field(default=25, ge=1, le=65535, alias="EMAIL_PORT")
    email_host_user: str = Field(default="", alias="EMAIL_HOST_USER")
    email_host_password: SecretStr = Field(default=SecretStr(""), alias="EMAIL_HOST_PASSWORD")
    email_use_tls: bool = Field(default=False, alias="EMAIL_USE_TLS")
    email_use_ssl: bool = Field(default=False, alias="EMAIL_USE_SSL")
    default_from_email: str = Field(
        default="Planner <planner@localhost>", alias="DEFAULT_FROM_EMAIL"
    )

    time_zone: str = Field(default="Europe/Zurich", alias="TIME_ZONE")
    language_code: Literal["en", "de"] = Field(default="en", alias="LANGUAGE_CODE")
    https: bool | None = Field(default=None, alias="HTTPS")
    trust_proxy_headers: bool = Field(default=False, alias="TRUST_PROXY_HEADERS")
    # Phase-boundary reminders: the local hour they go out, how often beat looks for due
    # ones, how often a failed send is retried (doubling the wait from the base each time).
    reminder_hour: int = Field(default=9, ge=0, le=23, alias="REMINDER_HOUR")
    reminder_dispatch_minutes: int = Field(
        default=5, ge=1, le=60, alias="REMINDER_DISPATCH_MINUTES"
    )
    reminder_retries: int = Field(default=8, ge=0, le=20, alias="REMINDER_RETRIES")
    reminder_retry_seconds: float = Field(default=60, gt=0, le=3600, alias="REMINDER_RETRY_SECONDS")
    # Must be well above the longest send (EMAIL_TIMEOUT is 30 s), or a slow but live send
    # would be put back and sent twice.
    reminder_stuck_minutes: float = Field(default=10, ge=2, le=1440, alias="REMINDER_STUCK_MINUTES")
    # Outgoing webhooks and chat messages: private, loopback and other non-public addresses
    # and plain http:// are refused unless this is on (`make run` and the tests set it).
    webhooks_allow_private: bool = Field(default=False, alias="WEBHOOKS_ALLOW_PRIVATE")
    webhooks_timeout_seconds: float = Field(
        default=10, gt=0, le=30, alias="WEBHOOKS_TIMEOUT_SECONDS"
    )
    webhooks_retries: int = Field(default=8, ge=0, le=20, alias="WEBHOOKS_RETRIES")
    webhooks_retry_seconds: float = Field(default=30, gt=0, le=3600, alias="WEBHOOKS_RETRY_SECONDS")

    # Requests a minute (or /s, /h, /d) each API token, or signed-in person, may send.
    api_rate_limit: str = Field(
        default="300/m", pattern=r"^[1-9][0-9]{0,6}/(s|m|h|d)$", alias="API_RATE_LIMIT"
    )
    # The largest team export file a lead may import (a team with a year of plans and their
    # feeds takes a few MB).
    import_max_mb: int = Field(default=10, ge=1, le=200, alias="IMPORT_MAX_MB")
    # Where `manage.py backup` writes when no --output is given; a relative path is taken
    # from the checkout (/app in the image), not from wherever the command was started.
    backup_dir: Path = Field(default=VAR_DIR / "backups", alias="BACKUP_DIR")

    # Prometheus metrics (README, "Metrics and monitoring"): who may scrape `/metrics` and
    # the worker's metrics port: a bearer key, and/or the scrapers' networks (CIDRs).
    # With neither, in production there is no `/metrics`; development allows loopback.
    metrics_token: SecretStr = Field(default=SecretStr(""), alias="METRICS_TOKEN")
    metrics_allowed_networks: Annotated[list[IPv4Network | IPv6Network], NoDecode] | None = Field(
        default=None, alias="METRICS_ALLOWED_NETWORKS"
    )
    # The Celery worker serves its own metrics on this port (0: it does not).
    metrics_worker_port: int = Field(default=0, ge=0, le=65535, alias="METRICS_WORKER_PORT")
    metrics_worker_host: str = Field(default="127.0.0.1", alias="METRICS_WORKER_HOST")

    # Logs: one JSON object a line for the log collector in production, readable lines in
    # development (the default follows DEBUG).
    log_format: Literal["json", "text"] | None = Field(default=None, alias="LOG_FORMAT")
    log_level: LogLevel = Field(default="INFO", alias="LOG_LEVEL")
    # Where `collectstatic` puts the files whitenoise serves in production.
    static_root: Path = Field(default=VAR_DIR / "static", alias="STATIC_ROOT")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [host.strip() for host in value.split(",") if host.strip()]
        return value

    @field_validator("metrics_allowed_networks", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("metrics_token")
    @classmethod
    def _long_metrics_token(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value() and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (e.g. secrets.token_urlsafe(32))")
        return value

    @field_validator("backup_dir")
    @classmethod
    def _anchored_backup_dir(cls, value: Path) -> Path:
        return value if value.is_absolute() else BASE_DIR / value

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like Europe/Zurich)")
        return value

    @field_validator("site_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an absolute http:// or https:// URL")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _email_transport(self) -> Settings:
        if self.email_use_tls and self.email_use_ssl:
            raise ValueError("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
        return self

    @property
    def uses_https(self) -> bool:
        """HTTPS-only cookies, redirect and HSTS: on in production unless HTTPS=false."""
        return (not self.debug) if self.https is None else self.https

    @property
    def effective_log_format(self) -> Literal["json", "text"]:
        if self.log_format is not None:
            return self.log_format
        return "text" if self.debug else "json"

    def effective_secret_key(self) -> str:
        return self.secret_key.get_secret_value() or DEVELOPMENT_SECRET_KEY

    def effective_metrics_networks(self) -> list[IPv4Network | IPv6Network]:
        """Who may scrape without the key: as set, or loopback in development."""
        if self.metrics_allowed_networks is not None:
            return self.metrics_allowed_networks
        return [IPv4Network("127.0.0.0/8"), IPv6Network("::1/128")] if self.debug else []

    def effective_allowed_hosts(self) -> list[str]:
        if self.allowed_hosts:
            return self.allowed_hosts
        return ["localhost", "127.0.0.1", "[::1]"] if self.debug else []

    def check_production(self) -> None:
        """Refuse to start in production on development defaults; name the variable to set."""
        if self.debug:
            return
        key = self.secret_key.get_secret_value()
        if not key or key.startswith("django-insecure") or len(key) < 50 or len(set(key)) < 5:
            raise ConfigurationError(
                "SECRET_KEY must be set to a long random value when DEBUG is off "
                "(at least 50 characters; e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(64))')."
            )
        if self.database_url.startswith("sqlite"):
            raise ConfigurationError(
                "DATABASE_URL must point to PostgreSQL when DEBUG is off "
                "(e.g. postgres://user:password@host:5432/planner); SQLite is for development."
            )
        if not self.allowed_hosts:
            raise ConfigurationError(
                "ALLOWED_HOSTS must list the host names Planner is served under when DEBUG is off "
                "(comma-separated, e.g. planner.example.com)."
            )
        if self.uses_https and not self.site_url.startswith("https://"):
            raise ConfigurationError(
                "SITE_URL must be an https:// address when DEBUG is off (e.g. "
                "https://planner.example.com): reminder emails link to it, and mail clients "
                "offer their one-click unsubscribe (RFC 8058) only for an https link. Set "
                "HTTPS=false as well only for a trial over plain HTTP."
            )


def load_settings() -> Settings:
    """Read and check the settings; a bad value raises ConfigurationError naming it."""
    from pydantic import ValidationError

    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc']) or 'settings'}: {issue['msg']}"
            for issue in error.errors()
        )
        raise ConfigurationError(f"Invalid configuration: {problems}") from None
    settings.check_production()
    return settings
