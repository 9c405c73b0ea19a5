"""My tasks, the signed-in home page: the user's tasks in every running plan by when they
are due, what they closed lately, and open tasks nobody has taken."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, Window
from django.utils import timezone
from django.utils.translation import get_language, gettext

from planner.accounts.models import User
from planner.plans.models import Plan, PlanTask, TaskStatus, part_title, task_paths, text_in
from planner.progress.selectors.summaries import PlanSummary, active_plans_of, plan_summaries
from planner.progress.selectors.texts import day_text, hours_text

TAKE_SHOWN = 15


@dataclass(slots=True)  # not frozen: a frozen dataclass costs a page of rows ~0.1 ms
class MyTaskRow:
    """A task in one of the lists, as the row shows it: worked out in Python once, so that
    the template only places it (a row costs the page some forty template nodes)."""

    pk: int
    key: str  # the id as text, for the row's element ids: no number formatting per use
    plan_id: int
    title: str  # in the reader's language, with its part of a shared task
    url: str
    team_name: str
    day: int
    due: date
    due_text: str  # e.g. "Tue 3 Mar", in the reader's language
    hours_text: str  # e.g. "2.5 h", in the reader's language
    tick_label: str  # what the tick button does, for a screen reader
    status: str
    skip_reason: str
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN


@dataclass(slots=True)
class MyTasks:
    overdue: list[MyTaskRow] = field(default_factory=list)
    today: list[MyTaskRow] = field(default_factory=list)
    coming: list[MyTaskRow] = field(default_factory=list)  # the next seven days
    later: list[MyTaskRow] = field(default_factory=list)
    recently_done: list[MyTaskRow] = field(default_factory=list)
    available: list[MyTaskRow] = field(default_factory=list)
    available_count: int = 0
    plans: list[PlanSummary] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.coming) + len(self.later)


_ROW_FIELDS = (
    "pk",
    "plan_id",
    "day",
    "title",
    "part",
    "parts",
    "effort_hours",
    "status",
    "closed_at",
    "skip_reason",
)


class _Rows:
    """Task rows (`values()` of `_ROW_FIELDS`) to `MyTaskRow`s: the language, each plan's
    dates and task URL form read once per page, not once per task."""

    def __init__(self, plans: list[Plan]) -> None:
        self.language = (get_language() or "en")[:2]
        self.plans = {plan.pk: plan for plan in plans}
        self.paths: dict[int, Callable[[int], str]] = {}
        self.tick_open = gettext("Mark “%(title)s” as done")
        self.tick_closed = gettext("Reopen “%(title)s”")

    def __call__(self, row: dict[str, Any]) -> MyTaskRow:
        plan = self.plans[row["plan_id"]]
        path = self.paths.get(plan.pk)
        if path is None:
            path = self.paths[plan.pk] = task_paths(plan.team.slug, plan.pk)
        title = part_title(text_in(row["title"], self.language), row["part"], row["parts"])
        # A running plan always has a start.
        due = plan.date_of_day(row["day"]) or date.max
        tick = self.tick_open if row["status"] == TaskStatus.OPEN else self.tick_closed
        return MyTaskRow(
            pk=row["pk"],
            key=str(row["pk"]),
            plan_id=plan.pk,
            title=title,
            url=path(row["pk"]),
            team_name=plan.team.name,
            day=row["day"],
            due=due,
            due_text=day_text(due),
            hours_text=hours_text(row["effort_hours"]),
            tick_label=tick % {"title": title},
            status=row["status"],
            skip_reason=row["skip_reason"],
            closed_at=row["closed_at"],
        )


def my_tasks(user: User, now: datetime | None = None, *, ticked: int | None = None) -> MyTasks:
    """The page's lists and plan bars. After a tick in plan `ticked`, only what its answer
    shows: the lists (for their counts) and that plan's bar; not the open tasks nobody has
    taken, nor the bars of the user's other plans."""
    now = now or timezone.now()
    plans = active_plans_of(user)
    shown = plans if ticked is None else [plan for plan in plans if plan.pk == ticked]
    result = MyTasks(plans=plan_summaries(shown, now))
    if not plans:
        return result
    rows = _Rows(plans)
    # Today and the seventh day after it, in each team's time zone: what lies ahead, not
    # the calendar week (on a Sunday, tomorrow's task is not "later" beside day 30's).
    weeks: dict[int, tuple[date, date]] = {}
    for plan in plans:
        today = plan.team.today(now)
        weeks[plan.pk] = (today, today + timedelta(days=7))
    recent = now - timedelta(days=7)
    mine = PlanTask.objects.filter(
        Q(status=TaskStatus.OPEN) | Q(closed_at__gte=recent), plan_id__in=rows.plans, assignee=user
    ).values(*_ROW_FIELDS)
    for values in mine:
        row = rows(values)
        if row.status != TaskStatus.OPEN:
            result.recently_done.append(row)
            continue
        today, week_end = weeks[row.plan_id]
        if row.due < today:
            result.overdue.append(row)
        elif row.due == today:
            result.today.append(row)
        elif row.due <= week_end:
            result.coming.append(row)
        else:
            result.later.append(row)
    for group in (result.overdue, result.today, result.coming, result.later):
        group.sort(key=lambda row: (row.due, row.team_name, row.pk))
    result.recently_done.sort(key=lambda row: row.closed_at or now, reverse=True)
    if ticked is not None:
        return result
    # The first open tasks nobody has taken, with how many there are in all: one query.
    available = (
        PlanTask.objects.filter(
            plan_id__in=rows.plans, assignee__isnull=True, status=TaskStatus.OPEN
        )
        .annotate(total=Window(Count("pk")))
        .order_by("day", "position", "pk")
        .values(*_ROW_FIELDS, "total")[:TAKE_SHOWN]
    )
    for values in available:
        result.available_count = values["total"]
        result.available.append(rows(values))
    return result


def my_task_row(task: PlanTask) -> MyTaskRow:
    """One task as a row of My tasks, for an htmx swap; its plan and team are loaded."""
    values = {name: getattr(task, name) for name in _ROW_FIELDS}
    return _Rows([task.plan])(values)
