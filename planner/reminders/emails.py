"""The reminder email: HTML and plain text, in the recipient's language, with one-click
unsubscribe (RFC 8058) and a Message-ID that every attempt of a delivery shares.

`ReminderMail` writes the emails of one reminder as Django's `EmailMultiAlternatives`;
Django's mail stack turns them into MIME and its backend sends them."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planner.accounts.models import User
from planner.plans.models import Plan, PlanTask, TaskStatus
from planner.progress import selectors as progress
from planner.progress import standing
from planner.reminders.schedule import Boundary, boundaries
from planner.teams.models import Team

UNSUBSCRIBE_SALT = "planner.reminders.unsubscribe"
# An unsubscribe link works for this long; the preferences page works always.
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 120


def message_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "planner.invalid"


def unsubscribe_token(user: User, team: Team) -> str:
    return signing.dumps({"u": user.pk, "t": team.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


class UnsubscribeToken(BaseModel):
    """What an unsubscribe link carries: whose reminders, from which team."""

    model_config = ConfigDict(strict=True, extra="forbid")
    u: int = Field(gt=0)
    t: int = Field(gt=0)


def read_unsubscribe_token(token: str) -> tuple[int, int]:
    """(user id, team id); raises signing.BadSignature (tampered, expired or malformed)."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    try:
        parsed = UnsubscribeToken.model_validate(data)
    except ValidationError:
        raise signing.BadSignature("Malformed unsubscribe token.") from None
    return parsed.u, parsed.t


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def boundary_of(plan: Plan, key: str) -> Boundary:
    for boundary in boundaries(plan.phases, plan.length):
        if boundary.key == key:
            return boundary
    raise LookupError(f"Plan {plan.pk} has no boundary {key!r}.")


@dataclass(frozen=True, slots=True)
class TaskLine:
    title: str
    day: int
    owner: str
    url: str
    mine: bool = False


@dataclass(frozen=True, slots=True)
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
    """The plan's figures at a boundary: what every recipient of the reminder reads."""

    rows: tuple[_Row, ...]
    phases: list[standing.PhaseProgress]
    kpis: list[progress.KpiCard]


def _titles(task: PlanTask) -> dict[str, str]:
    """A task's title in each language, with the part it is of a shared task."""
    if task.parts == 1:
        return dict(task.title)
    titles = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            titles[language] = task.title_text
    return titles


def plan_digest(plan: Plan, boundary: Boundary) -> Digest:
    facts = progress.facts_by_plan([plan])[plan.pk]
    tasks = (
        plan.tasks.select_related("assignee")
        .only(
            "pk",
            "plan_id",
            "title",
            "part",
            "parts",
            "day",
            "phase",
            "status",
            "assignee_id",
            "assignee__name",
            "assignee__email",
        )
        .order_by("day", "position", "pk")
    )
    return Digest(
        rows=tuple(
            _Row(
                t.pk,
                _titles(t),
                t.day,
                t.phase,
                t.status,
                t.assignee_id,
                t.assignee.display_name if t.assignee else "",
            )
            for t in tasks
        ),
        phases=standing.phase_progress(facts, plan.phases, boundary.day),
        kpis=progress.kpi_cards(plan),
    )


HTML = "reminders/email/reminder.html"
TEXT = "reminders/email/reminder.txt"
SUBJECT = "reminders/email/reminder_subject.txt"


def _render(name: str, context: dict[str, Any]) -> SafeString:
    return mark_safe(get_template(name).render(context))  # noqa: S308 # our templates' output


@dataclass
class _Edition:
    """One reminder in one language: what all its recipients share, rendered once."""

    subject: str
    context: dict[str, Any]
    html: dict[str, SafeString | None]
    text: dict[str, SafeString | None]


# The partials of the templates that every recipient of a reminder shares in a language.
_SHARED_HTML = ("top", "review", "none_mine", "overdue", "results", "unsubscribe")
_SHARED_TEXT = ("review", "none_mine", "overdue", "results")


class ReminderMail:
    """Writes the emails of one reminder (a plan at a boundary) to its recipients.

    A reminder goes to every member, and most of its email is the same for all of them in
    one language: that part is rendered once per language, and per recipient only their
    greeting, their tasks and their unsubscribe link (about ten times cheaper).
    """

    def __init__(self, plan: Plan, boundary: Boundary, *, test: bool = False) -> None:
        self.plan, self.boundary, self.test = plan, boundary, test
        self.zone = zoneinfo.ZoneInfo(plan.team.time_zone)
        self.digest = plan_digest(plan, boundary)
        ended = boundary.ended_phase or 0
        open_rows = [r for r in self.digest.rows if r.status == TaskStatus.OPEN]
        self._open_in_ended = [r for r in open_rows if r.phase == ended]
        self._overdue = [r for r in open_rows if r.day < boundary.day and r.phase != ended]
        self._next = [
            r for r in open_rows if boundary.next_phase and r.phase == boundary.next_phase
        ]
        team = plan.team
        self._task_kwargs = {"team_slug": team.slug, "plan_id": plan.pk}
        self._links = {
            "dashboard_url": absolute(reverse("team_progress", kwargs={"team_slug": team.slug})),
            "my_tasks_url": absolute(reverse("home")),
            "assessment_url": absolute(
                reverse("assessment_intro", kwargs={"team_slug": team.slug})
            ),
            "preferences_url": absolute(reverse("reminder_preferences")),
        }
        # Reversed once with a stand-in for the token: each recipient has their own.
        self._unsubscribe = absolute(reverse("reminder_unsubscribe", kwargs={"token": "TOKEN"}))
        self._editions: dict[str, _Edition] = {}

    def _line(self, row: _Row, language: str, mine: bool = False) -> TaskLine:
        title = row.title.get(language) or row.title.get("en") or ""
        url = absolute(reverse("task_detail", kwargs={**self._task_kwargs, "task_id": row.pk}))
        return TaskLine(title, row.day, row.owner, url, mine)

    def _edition(self, language: str) -> _Edition:
        edition = self._editions.get(language)
        if edition is not None:
            return edition
        phases = self.digest.phases
        boundary = self.boundary
        context: dict[str, Any] = {
            "team": self.plan.team,
            "plan": self.plan,
            "boundary": boundary,
            "test": self.test,
            "ended": phases[boundary.ended_phase - 1] if boundary.ended_phase else None,
            "next_phase": phases[boundary.next_phase - 1] if boundary.next_phase else None,
            "open_in_ended": [self._line(r, language) for r in self._open_in_ended],
            "overdue": [self._line(r, language) for r in self._overdue],
            "kpis": self.digest.kpis,
            **self._links,
        }
        subject = " ".join(render_to_string(SUBJECT, context).split())
        edition = _Edition(
            subject,
            context,
            html={name: _render(f"{HTML}#{name}", context) for name in _SHARED_HTML},
            text={name: _render(f"{TEXT}#{name}", context) for name in _SHARED_TEXT},
        )
        self._editions[language] = edition
        return edition

    def email(
        self, user: User, *, message_id: str, now: datetime | None = None
    ) -> EmailMultiAlternatives:
        """The email to `user`, dated `now` (when it is sent) in the team's time zone."""
        language = user.language or self.plan.team.language
        with translation.override(language), timezone.override(self.zone):
            edition = self._edition(language)
            context = {
                **edition.context,
                "user": user,
                "mine_next": [
                    self._line(r, language) for r in self._next if r.assignee_id == user.pk
                ],
                "unsubscribe_url": self._unsubscribe.replace(
                    "TOKEN", unsubscribe_token(user, self.plan.team)
                ),
            }
            html, text = edition.html, edition.text
            if any(r.assignee_id == user.pk for r in self._overdue):
                # Their own overdue tasks are marked: this part is theirs alone.
                context["overdue"] = [
                    self._line(r, language, r.assignee_id == user.pk) for r in self._overdue
                ]
                html, text = {**html, "overdue": None}, {**text, "overdue": None}
            html_body = _render(HTML, {**context, "shared": html})
            text_body = _render(TEXT, {**context, "shared": text})
        message = EmailMultiAlternatives(
            edition.subject,
            text_body,
            to=[user.email],
            headers={
                # Django would write "-0000" (no zone known) and a Message-ID of this host.
                "Date": format_datetime(timezone.localtime(now or timezone.now(), self.zone)),
                "Message-ID": message_id,
                "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
            },
        )
        message.attach_alternative(html_body, "text/html")
        return message
