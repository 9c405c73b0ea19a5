"""Which real servers the suite can reach, decided once before Django loads its settings.

The suite runs on PostgreSQL when DATABASE_URL points there, when CI is set, or when a
server answers on 127.0.0.1:5432; otherwise on SQLite, and tests that need PostgreSQL or
Redis skip with the reason. Under CI nothing skips: a missing server is a failure.
"""

from __future__ import annotations

import os
import socket

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/15"
IN_CI = bool(os.environ.get("CI"))


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def choose_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        return url
    if IN_CI or reachable("127.0.0.1", 5432):
        return POSTGRES_URL
    return "sqlite://:memory:"


def uses_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


def redis_available() -> bool:
    return reachable("127.0.0.1", 6379)
