"""My tasks, the signed-in home page: the user's tasks in every running plan by when they
are due, what they closed lately, and open tasks nobody has taken."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from planner.accounts.models import User
from planner.plans.models import Plan, PlanTask, TaskStatus
from planner.progress.selectors.summaries import PlanSummary, active_plans_of, plan_summaries

TAKE_SHOWN = 15


@dataclass(frozen=True, slots=True)
class MyTaskRow:
    """A task in one of the lists: the task (with its plan and team), its page, the date it
    is due."""

    task: PlanTask
    url: str
    due: date


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
    "phase",
    "day",
    "title",
    "part",
    "parts",
    "effort_hours",
    "status",
    "closed_at",
    "assignee_id",
    "evidence_url",
    "skip_reason",
)


def _row(task: PlanTask, plan: Plan) -> MyTaskRow:
    task.plan = plan  # loaded once with its team, for all its tasks
    due = plan.date_of_day(task.day) or date.max  # a running plan always has a start
    return MyTaskRow(task, task.get_absolute_url(), due)


def my_tasks(user: User, now: datetime | None = None) -> MyTasks:
    now = now or timezone.now()
    plans = active_plans_of(user)
    result = MyTasks(plans=plan_summaries(plans, now))
    if not plans:
        return result
    by_id = {plan.pk: plan for plan in plans}
    # Today and the seventh day after it, in each team's time zone: what lies ahead, not
    # the calendar week (on a Sunday, tomorrow's task is not "later" beside day 30's).
    weeks: dict[int, tuple[date, date]] = {}
    for plan in plans:
        today = plan.team.today(now)
        weeks[plan.pk] = (today, today + timedelta(days=7))
    recent = now - timedelta(days=7)
    mine = PlanTask.objects.filter(
        Q(status=TaskStatus.OPEN) | Q(closed_at__gte=recent), plan_id__in=by_id, assignee=user
    ).only(*_ROW_FIELDS)
    for task in mine:
        row = _row(task, by_id[task.plan_id])
        if task.status != TaskStatus.OPEN:
            result.recently_done.append(row)
            continue
        today, week_end = weeks[task.plan_id]
        if row.due < today:
            result.overdue.append(row)
        elif row.due == today:
            result.today.append(row)
        elif row.due <= week_end:
            result.coming.append(row)
        else:
            result.later.append(row)
    for group in (result.overdue, result.today, result.coming, result.later):
        group.sort(key=lambda row: (row.due, row.task.plan.team.name, row.task.pk))
    result.recently_done.sort(key=lambda row: row.task.closed_at or now, reverse=True)
    available = PlanTask.objects.filter(
        plan_id__in=by_id, assignee__isnull=True, status=TaskStatus.OPEN
    )
    result.available_count = available.count()
    for task in available.only(*_ROW_FIELDS).order_by("day", "position", "pk")[:TAKE_SHOWN]:
        result.available.append(_row(task, by_id[task.plan_id]))
    return result


def my_task_row(task: PlanTask) -> MyTaskRow:
    """One task as a row of My tasks, for an htmx swap; its plan and team are loaded."""
    return _row(task, task.plan)
