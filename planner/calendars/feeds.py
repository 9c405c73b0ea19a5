"""Plans as iCalendar: the phases' first days and each task on its days, all-day events
(plan days are calendar dates in the team's time zone, so no zone is needed)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from planner.plans.models import Plan, PlanTask, TaskStatus
from planner.playbook.loader import get_playbook


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def calendar_of(
    name: str, plans: Iterable[Plan], tasks: Iterable[PlanTask], language: str, now: datetime
) -> bytes:
    """One calendar: the phases of `plans` and the `tasks`, in `language`."""
    domain = urlsplit(settings.SITE_URL).hostname or "planner"
    phases = {phase.number: phase.title for phase in get_playbook().phases}
    calendar = Calendar()
    calendar.add("prodid", "-//Planner//plans//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    with translation.override(language):
        for plan in plans:
            if plan.start_date is None:
                continue
            for number, (first, _last) in enumerate(plan.phases, 1):
                event = Event()
                event.add("uid", f"plan-{plan.pk}-phase-{number}@{domain}")
                event.add("dtstamp", now)
                event.add(
                    "summary",
                    _("%(team)s: phase %(number)s, %(title)s")
                    % {
                        "team": plan.team.name,
                        "number": number,
                        "title": phases[number].get(language) if number in phases else "",
                    },
                )
                event.add("dtstart", plan.date_of_day(first))
                event.add("dtend", plan.date_of_day(first + 1))
                event.add("url", _absolute(plan.get_absolute_url()))
                calendar.add_component(event)
        for task in tasks:
            plan = task.plan
            start = plan.date_of_day(task.start_day)
            end = plan.date_of_day(task.day)
            if start is None or end is None:
                continue
            event = Event()
            event.add("uid", f"task-{task.pk}@{domain}")
            event.add("dtstamp", now)
            done = task.status == TaskStatus.DONE
            summary = (
                task.title_text if not done else _("%(title)s (done)") % {"title": task.title_text}
            )
            event.add("summary", summary)
            event.add("dtstart", start)
            event.add("dtend", end + timedelta(days=1))
            event.add("description", f"{plan.team.name} · {task.get_status_display()}")
            event.add("url", _absolute(task.get_absolute_url()))
            if task.status == TaskStatus.SKIPPED:
                event.add("status", "CANCELLED")
            calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
