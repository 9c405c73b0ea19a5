from __future__ import annotations

from datetime import datetime

import pytest


@pytest.fixture(autouse=True)
def _before_the_reminder_hour(before_the_reminder_hour: datetime) -> datetime:
    """Every reminder test starts two hours before the reminder hour (tests/conftest.py)."""
    return before_the_reminder_hour
