"""The reminder email: HTML and plain text, in the recipient's language, with one-click
unsubscribe (RFC 8058) and a Message-ID that every attempt of a delivery shares."""

from __future__ import annotations

import contextlib
import threading
import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from planner.accounts.models import User
from planner.plans.models import Plan, PlanTask, TaskStatus
from planner.progress import selectors as progress
from planner.progress import status
from planner.reminders.schedule import Boundary, boundaries
from planner.teams.models import Team

UNSUBSCRIBE_SALT = "planner.reminders.unsubscribe"
# An unsubscribe link works for this long; the preferences page works always.
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 120


def message_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "planner.invalid"


def unsubscribe_token(user: User, team: Team) -> str:
    return signing.dumps({"u": user.pk, "t": team.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, int]:
    """(user id, team id); raises signing.BadSignature (tampered or expired)."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    if not isinstance(data, dict) or not {"u", "t"} <= data.keys():
        raise signing.BadSignature("Incomplete unsubscribe token.")
    return int(data["u"]), int(data["t"])


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def boundary_of(plan: Plan, key: str) -> Boundary:
    for boundary in boundaries(plan.phases, plan.length):
        if boundary.key == key:
            return boundary
    raise LookupError(f"Plan {plan.pk} has no boundary {key!r}.")


@dataclass
class TaskLine:
    title: str
    day: int
    owner: str
    url: str
    mine: bool


def reminder_context(plan: Plan, boundary: Boundary, user: User, now: datetime) -> dict[str, Any]:
    """What the email says: the ended phase, the recipient's next tasks, overdue, KPIs."""
    team = plan.team
    plan_url = progress.plan_url(plan)
    facts = progress.facts_by_plan([plan])[plan.pk]
    phases = status.phase_progress(facts, plan.phases, boundary.day)
    ended = phases[boundary.ended_phase - 1] if boundary.ended_phase else None
    tasks = list(
        plan.tasks.select_related("assignee")
        .only("pk", "title", "day", "phase", "status", "assignee__name", "assignee__email")
        .order_by("day", "position", "pk")
    )

    def line(task: PlanTask) -> TaskLine:
        owner = task.assignee.display_name if task.assignee else ""
        return TaskLine(
            task.title_text,
            task.day,
            owner,
            absolute(f"{plan_url}tasks/{task.pk}/"),
            task.assignee_id == user.pk,
        )

    open_in_ended = [
        line(t) for t in tasks if ended and t.phase == ended.number and t.status == TaskStatus.OPEN
    ]
    mine_next = [
        line(t)
        for t in tasks
        if boundary.next_phase
        and t.phase == boundary.next_phase
        and t.assignee_id == user.pk
        and t.status == TaskStatus.OPEN
    ]
    overdue = [
        line(t)
        for t in tasks
        if t.status == TaskStatus.OPEN
        and t.day < boundary.day
        and t.phase != getattr(ended, "number", 0)
    ]
    return {
        "user": user,
        "team": team,
        "plan": plan,
        "boundary": boundary,
        "ended": ended,
        "next_phase": phases[boundary.next_phase - 1] if boundary.next_phase else None,
        "open_in_ended": open_in_ended,
        "mine_next": mine_next,
        "overdue": overdue,
        "standing": status.standing(facts, boundary.day, plan.length),
        "kpis": progress.kpi_cards(plan),
        "dashboard_url": absolute(reverse("team_progress", kwargs={"team_slug": team.slug})),
        "my_tasks_url": absolute(reverse("home")),
        "assessment_url": absolute(reverse("assessment_intro", kwargs={"team_slug": team.slug})),
        "preferences_url": absolute(reverse("reminder_preferences")),
        "unsubscribe_url": absolute(
            reverse("reminder_unsubscribe", kwargs={"token": unsubscribe_token(user, team)})
        ),
        "site_url": settings.SITE_URL,
    }


def build_message(
    plan: Plan,
    boundary: Boundary,
    user: User,
    *,
    message_id: str,
    now: datetime | None = None,
    test: bool = False,
) -> EmailMultiAlternatives:
    now = now or timezone.now()
    context = reminder_context(plan, boundary, user, now)
    context["test"] = test
    zone = zoneinfo.ZoneInfo(plan.team.time_zone)
    with translation.override(user.language or plan.team.language), timezone.override(zone):
        subject = " ".join(
            render_to_string("reminders/email/reminder_subject.txt", context).split()
        )
        text = render_to_string("reminders/email/reminder.txt", context)
        html = render_to_string("reminders/email/reminder.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        to=[user.email],
        headers={
            "Message-ID": message_id,
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


_local = threading.local()


def connection() -> BaseEmailBackend:
    """One open connection per worker thread, reused across sends (one SMTP session
    for many messages instead of one each); `drop_connection` after an error."""
    backend: BaseEmailBackend | None = getattr(_local, "backend", None)
    if backend is None:
        backend = get_connection(fail_silently=False)
        backend.open()
        _local.backend = backend
    return backend


def drop_connection() -> None:
    backend: BaseEmailBackend | None = getattr(_local, "backend", None)
    _local.backend = None
    if backend is not None:
        with contextlib.suppress(Exception):  # a broken connection is thrown away anyway
            backend.close()
