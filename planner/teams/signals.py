"""What teams tell the areas above them, which teams do not import."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that changes a team's time zone, with `team` and `now`.
# Plans listen: their reminders fall due at a local hour, so the new zone moves them.
time_zone_changed = Signal()
