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
from planner.plans.models import Plan, TaskStatus
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


@dataclass(frozen=True)
class _Row:
    pk: int
    title: dict[str, str]
    day: int
    phase: int
    status: str
    assignee_id: int | None
    owner: str


@dataclass(frozen=True)
class Digest:
    """What every recipient of one reminder shares: computed once per burst of sends."""

    rows: tuple[_Row, ...]
    phases: list[status.PhaseProgress]
    standing: status.Standing
    kpis: list[progress.KpiCard]


_digests: dict[tuple[object, ...], Digest] = {}
_DIGESTS_KEPT = 64


def clear_digests() -> None:
    _digests.clear()


def plan_digest(plan: Plan, boundary: Boundary) -> Digest:
    """The plan's figures at `boundary`, cached under the plan's newest activity (every
    change to a running plan records one) and its members' newest profile edit, so a
    cached digest is never stale."""
    feed = plan.activities.order_by("-pk").values_list("pk", flat=True).first()
    edit = (
        User.objects.filter(memberships__team_id=plan.team_id)
        .order_by("-updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )
    key = (plan.pk, boundary.key, feed, edit, plan.team.time_zone)
    digest = _digests.get(key)
    if digest is not None:
        return digest
    facts = progress.facts_by_plan([plan])[plan.pk]
    tasks = (
        plan.tasks.select_related("assignee")
        .only(
            "pk",
            "plan_id",
            "title",
            "day",
            "phase",
            "status",
            "assignee_id",
            "assignee__name",
            "assignee__email",
        )
        .order_by("day", "position", "pk")
    )
    digest = Digest(
        rows=tuple(
            _Row(
                t.pk,
                t.title,
                t.day,
                t.phase,
                t.status,
                t.assignee_id,
                t.assignee.display_name if t.assignee else "",
            )
            for t in tasks
        ),
        phases=status.phase_progress(facts, plan.phases, boundary.day),
        standing=status.standing(facts, boundary.day, plan.length),
        kpis=progress.kpi_cards(plan),
    )
    if len(_digests) >= _DIGESTS_KEPT:
        _digests.clear()
    _digests[key] = digest
    return digest


def reminder_context(plan: Plan, boundary: Boundary, user: User, now: datetime) -> dict[str, Any]:
    """What the email says: the ended phase, the recipient's next tasks, overdue, KPIs."""
    team = plan.team
    plan_url = progress.plan_url(plan)
    digest = plan_digest(plan, boundary)
    phases = digest.phases
    ended = phases[boundary.ended_phase - 1] if boundary.ended_phase else None
    language = (translation.get_language() or "en")[:2]

    def line(row: _Row) -> TaskLine:
        return TaskLine(
            row.title.get(language) or row.title.get("en") or "",
            row.day,
            row.owner,
            absolute(f"{plan_url}tasks/{row.pk}/"),
            row.assignee_id == user.pk,
        )

    open_rows = [r for r in digest.rows if r.status == TaskStatus.OPEN]
    ended_number = ended.number if ended else 0
    return {
        "user": user,
        "team": team,
        "plan": plan,
        "boundary": boundary,
        "ended": ended,
        "next_phase": phases[boundary.next_phase - 1] if boundary.next_phase else None,
        "open_in_ended": [line(r) for r in open_rows if r.phase == ended_number],
        "mine_next": [
            line(r)
            for r in open_rows
            if boundary.next_phase and r.phase == boundary.next_phase and r.assignee_id == user.pk
        ],
        "overdue": [line(r) for r in open_rows if r.day < boundary.day and r.phase != ended_number],
        "standing": digest.standing,
        "kpis": digest.kpis,
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
    zone = zoneinfo.ZoneInfo(plan.team.time_zone)
    with translation.override(user.language or plan.team.language), timezone.override(zone):
        context = reminder_context(plan, boundary, user, now)
        context["test"] = test
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
