"""Django settings, derived from the one pydantic-settings model in `planner.config`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from planner.config import BASE_DIR, VAR_DIR, load_settings
from planner.core.logconfig import logging_config
from planner.core.metrics import REQUEST_BUCKETS

# Lets admin classes be subscripted at run time (ModelAdmin[Team]) as mypy wants them typed.
django_stubs_ext.monkeypatch()

CONFIG = load_settings()

DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.effective_secret_key()
ALLOWED_HOSTS = CONFIG.effective_allowed_hosts()
SITE_URL = CONFIG.site_url
CSRF_TRUSTED_ORIGINS = [CONFIG.site_url] if CONFIG.site_url.startswith("https://") else []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_htmx",
    "template_partials",
    "planner.core",
    "planner.accounts",
    "planner.teams",
    "planner.playbook",
    "planner.assessment",
    "planner.plans",
    "planner.progress",
    "planner.reminders",
    "planner.calendars",
    "planner.api",
    "planner.webhooks",
    "planner.exports",
    "planner.demo",
    "planner.observability",
    "ninja",
]

MIDDLEWARE = [
    "planner.core.middleware.HealthCheckMiddleware",
    "planner.observability.middleware.MetricsMiddleware",
    "planner.observability.requests.BeforeMiddleware",
    # After the probes (they stay cheap and log nothing), before everything that logs.
    "planner.core.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "planner.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "planner.core.middleware.VaryOnHtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "planner.observability.requests.RequestMetricsMiddleware",
]

ROOT_URLCONF = "planner.urls"
WSGI_APPLICATION = "planner.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "planner.core.context_processors.nav",
            ],
        },
    }
]


def _database(url: str) -> dict[str, Any]:
    database = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:" and not url.startswith("sqlite://:memory:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            # `make run` has web, worker and beat on one file: write-ahead logging lets
            # them read while one writes, and writers queue instead of failing "locked".
            database["OPTIONS"] = {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
                ),
                "transaction_mode": "IMMEDIATE",
            }
    # django-prometheus' wrappers of Django's own backends: query counts and durations.
    database["ENGINE"] = str(database["ENGINE"]).replace(
        "django.db.backends.", "django_prometheus.db.backends.", 1
    )
    return database


DATABASES = {"default": _database(CONFIG.database_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _cache(url: str) -> dict[str, Any]:
    scheme = urlsplit(url).scheme
    if scheme in ("redis", "rediss"):
        # Redis down is a cache miss, never an error (planner/core/cache.py).
        return {"BACKEND": "planner.core.cache.FallbackRedisCache", "LOCATION": url}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


CACHES = {"default": _cache(CONFIG.cache_url)}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: accounts by email and password only.
ACCOUNT_ADAPTER = "planner.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "planner.accounts.forms.SignupForm"  # adds the name
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
# Sign-up and password reset answer alike whether or not an address has an account; the
# owner of a taken address gets an email saying someone tried to sign up with it.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Planner] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if CONFIG.uses_https else "http"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Five wrong passwords for one account lock it for five minutes; ten a minute per IP.
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "confirm_email": "1/180s/key",
}

LANGUAGE_CODE = CONFIG.language_code
LANGUAGES = [("en", _("English")), ("de", _("German"))]
FORMAT_MODULE_PATH = ["planner.formats"]  # English dates without US style
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = CONFIG.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Collected files exist only in production images; development serves from the finders.
STATIC_ROOT = None if DEBUG else CONFIG.static_root
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Email: files under var/mail/ by default; SMTP in production.
DEFAULT_FROM_EMAIL = CONFIG.default_from_email
SERVER_EMAIL = CONFIG.default_from_email
EMAIL_BACKEND = {
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}[CONFIG.email_backend]
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = CONFIG.email_host
EMAIL_PORT = CONFIG.email_port
EMAIL_HOST_USER = CONFIG.email_host_user
EMAIL_HOST_PASSWORD = CONFIG.email_host_password.get_secret_value()
EMAIL_USE_TLS = CONFIG.email_use_tls
EMAIL_USE_SSL = CONFIG.email_use_ssl
EMAIL_TIMEOUT = 30
# Dates in emails with the real offset ("+0100"), not "-0000" (no zone information).
EMAIL_USE_LOCALTIME = True

# Celery (see planner/celery.py): Redis in production, a filesystem broker for `make run`.
CELERY_BROKER_URL = CONFIG.celery_broker_url
CELERY_BROKER_FOLDER = VAR_DIR / "celery" / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = (
    {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem://")
    else {}
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Tasks are acknowledged when they start; those made safe to run twice say `acks_late`
# themselves (planner/reminders/tasks.py). A worker takes one message at a time.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
REMINDER_HOUR = CONFIG.reminder_hour
API_RATE_LIMIT = CONFIG.api_rate_limit
REMINDER_DISPATCH_MINUTES = CONFIG.reminder_dispatch_minutes
REMINDER_RETRIES = CONFIG.reminder_retries
REMINDER_RETRY_SECONDS = CONFIG.reminder_retry_seconds
REMINDER_STUCK_MINUTES = CONFIG.reminder_stuck_minutes
WEBHOOKS_ALLOW_PRIVATE = CONFIG.webhooks_allow_private
WEBHOOKS_TIMEOUT_SECONDS = CONFIG.webhooks_timeout_seconds
WEBHOOKS_RETRIES = CONFIG.webhooks_retries
WEBHOOKS_RETRY_SECONDS = CONFIG.webhooks_retry_seconds
IMPORT_MAX_BYTES = CONFIG.import_max_mb * 1024 * 1024

# Prometheus metrics (planner.observability; README, "Metrics and monitoring").
METRICS_TOKEN = CONFIG.metrics_token.get_secret_value()
METRICS_ALLOWED_NETWORKS = CONFIG.effective_metrics_networks()
METRICS_WORKER_PORT = CONFIG.metrics_worker_port
METRICS_WORKER_HOST = CONFIG.metrics_worker_host
# django-prometheus' request latency histograms: our pages take milliseconds.
PROMETHEUS_LATENCY_BUCKETS = (*REQUEST_BUCKETS, float("inf"))

# Backups: the folder `manage.py backup` writes to without --output (planner/core/backups/).
BACKUP_DIR = CONFIG.backup_dir

CELERY_BEAT_SCHEDULE: dict[str, Any] = {
    "dispatch-reminders": {
        "task": "planner.reminders.dispatch",
        "schedule": timedelta(minutes=REMINDER_DISPATCH_MINUTES),
    },
    "sweep-reminders": {
        "task": "planner.reminders.sweep",
        "schedule": timedelta(minutes=REMINDER_DISPATCH_MINUTES),
    },
    # Phase boundaries and weekly digests for webhooks and chat, activity the on-commit
    # hook missed (a broker that was down), and deliveries whose task was lost.
    "dispatch-webhooks": {
        "task": "planner.webhooks.dispatch",
        "schedule": timedelta(minutes=REMINDER_DISPATCH_MINUTES),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")

# Security: strict by default in production; HTTPS=false only behind plain HTTP on purpose.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads nothing from it; forms carry the token instead.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if CONFIG.uses_https:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
if CONFIG.trust_proxy_headers:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Logs (issue 17; planner/core/logconfig.py): JSON a line in production, readable lines in
# development, every line with its request id. Never logged: passwords, tokens, session
# cookies, email addresses or bodies, webhook URLs; `django.db.backends` (SQL with its
# parameters) stays at WARNING whatever LOG_LEVEL says.
LOG_FORMAT = CONFIG.effective_log_format
LOG_LEVEL = CONFIG.log_level
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)

# Content-Security-Policy (django-csp): our own files only. No inline script or style, no
# eval; htmx runs from a static file with its indicator styles off (templates/base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
# Permissions-Policy (django-permissions-policy): no page needs a sensor, camera or payment.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
    )
}
