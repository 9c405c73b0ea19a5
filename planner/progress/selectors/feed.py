"""Feed entries as a page shows them: who, when, and the task or KPI an entry is about,
worked out once per entry in Python; the template only picks the sentence for its kind
(the dashboard's feed of 20 entries cost more than half its body's template time)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, gettext

from planner.plans.models import Activity, task_paths, text_in
from planner.progress.selectors.texts import moment_iso, moment_text


@dataclass(slots=True)
class FeedEntry:
    kind: str
    at: datetime
    when_iso: str  # for <time datetime>, in the reader's time zone
    when_text: str  # e.g. "Tue 3 Mar, 14:05"
    name: str  # who: the member, else the name or email an import kept, else "Someone"
    task_url: str  # the task's page when the list links tasks and the entry has one
    task_title: str
    kpi_title: str
    unit: str  # the KPI's unit, for a measured value
    detail: dict[str, Any]


def feed_entries(
    activities: Iterable[Activity], *, team_slug: str, plan_id: int, link_tasks: bool
) -> list[FeedEntry]:
    """The entries, loaded with their actor, task and KPI target. `link_tasks`: name and
    link each entry's task (the dashboard), or not (a task's own history)."""
    language = (get_language() or "en")[:2]
    zone = timezone.get_current_timezone()
    path = task_paths(team_slug, plan_id)
    someone = gettext("Someone")
    entries = []
    for activity in activities:
        local = timezone.localtime(activity.at, zone)
        detail = activity.detail or {}
        actor = activity.actor
        name = (
            (actor.display_name if actor is not None else "")
            or detail.get("actor_name")
            or detail.get("actor_email")
            or someone
        )
        task = activity.task if link_tasks and activity.task_id else None
        target = activity.kpi_target if activity.kpi_target_id else None
        entries.append(
            FeedEntry(
                kind=activity.kind,
                at=activity.at,
                when_iso=moment_iso(local),
                when_text=moment_text(local),
                name=str(name),
                task_url=path(task.pk) if task is not None else "",
                task_title=text_in(task.title, language) if task is not None else "",
                kpi_title=text_in(target.title, language) if target is not None else "",
                unit=target.unit if target is not None else "",
                detail=detail,
            )
        )
    return entries
