"""The run's own things on the shared servers, removed when it ends: a PostgreSQL
database it creates (never one that existed: creating fails then) and the Redis keys
under its namespace (see `benchmarks.load.settings`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
from psycopg import sql

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"


def database_url(server_url: str, name: str) -> str:
    """`server_url` (any database path, or none) pointing at the database `name`."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


@contextmanager
def database(server_url: str, name: str) -> Iterator[str]:
    """Create the database `name` on the server, yield its URL, drop it at the end (with
    FORCE: a gunicorn worker that was killed may still hold a connection)."""
    admin = database_url(server_url, "postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield database_url(server_url, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def remove_redis_keys(redis_url: str, namespace: str) -> int:
    """Delete the keys that carry `namespace` (cache entries, the Celery queue and its
    binding); how many. Nothing else in the database is touched."""
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"*{namespace}*", count=1000))
        return int(client.delete(*keys)) if keys else 0
    finally:
        client.close()
