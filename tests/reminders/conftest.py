from __future__ import annotations

from collections.abc import Iterator

import pytest

from planner.reminders.emails import drop_connection


@pytest.fixture(autouse=True)
def _fresh_mail_connection() -> Iterator[None]:
    """The send task keeps one mail connection per thread; tests change the backend."""
    drop_connection()
    yield
    drop_connection()
