"""Writes for calendar links."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from planner.accounts.models import User
from planner.calendars.models import CalendarLink
from planner.teams.models import hash_token


@transaction.atomic
def calendar_link_reset(*, user: User, now: datetime | None = None) -> str:
    """A new secret for the user's calendar link; the old link stops working at once. The
    token is returned once, to show in the link; only its digest is kept."""
    token = secrets.token_urlsafe(24)
    CalendarLink.objects.update_or_create(
        user=user,
        defaults={"token_hash": hash_token(token), "created_at": now or timezone.now()},
    )
    return token
