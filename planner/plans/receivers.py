"""How plans follow changes in the areas below them (connected in PlansConfig.ready)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from planner.plans.models import Plan, PlanStatus
from planner.teams.models import Team


def look_again_at_reminders(sender: Any, *, team: Team, now: datetime, **_: Any) -> None:
    """Reminders go out at a local hour: a new time zone moves them, so the dispatcher looks
    at the running plan again. The moment they count from stays: a boundary the new zone
    puts a few hours in the past goes out now, as the latest due one."""
    Plan.objects.filter(team=team, status=PlanStatus.ACTIVE).update(next_reminder_at=now)
