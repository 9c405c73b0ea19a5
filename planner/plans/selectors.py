"""Reads for plans."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from planner.accounts.models import User
from planner.plans.models import BacklogTask, KpiTarget, Plan, PlanTask
from planner.plans.scheduling import Seat, Span, week_capacity, week_loads, weeks
from planner.playbook.loader import get_playbook
from planner.teams.models import Membership

DEFAULT_WEEKLY_HOURS = 4.0  # what a plan without a capacity record assumes per person


def team_plans(team_id: int) -> QuerySet[Plan]:
    return Plan.objects.filter(team_id=team_id).order_by("-created_at")


def plan_of_team(team_id: int, plan_id: int) -> Plan:
    plan = Plan.objects.select_related("team").filter(team_id=team_id, pk=plan_id).first()
    if plan is None:
        raise Http404("No such plan.")
    return plan


def plan_tasks(plan: Plan) -> QuerySet[PlanTask]:
    return plan.tasks.select_related("assignee").order_by("day", "position", "pk")


def task_of_plan(plan: Plan, task_id: int) -> PlanTask:
    task = plan.tasks.select_related("assignee", "plan").filter(pk=task_id).first()
    if task is None:
        raise Http404("No such task.")
    return task


def target_of_plan(plan: Plan, target_id: int) -> KpiTarget:
    target = plan.kpi_targets.select_related("plan").filter(pk=target_id).first()
    if target is None:
        raise Http404("No such KPI target.")
    return target


def team_members_for_plan(plan: Plan) -> list[User]:
    """The people a task of the plan can be assigned to, in one query."""
    return list(User.objects.filter(memberships__team_id=plan.team_id).order_by("name", "email"))


@dataclass(frozen=True)
class BacklogRow:
    item: BacklogTask
    waiting_for: str  # the title of the prerequisite it waits for, if that is the reason
    pullable: bool  # none of its prerequisites is in the backlog
    core: bool = False  # one of the article's core steps (priority 1 in the playbook)


def plan_backlog(plan: Plan, tasks: Iterable[PlanTask]) -> list[BacklogRow]:
    """The backlog, best first, each with the title of what it waits for."""
    items = list(plan.backlog.order_by("position", "pk"))
    titles = {t.catalogue_id: t.own_title for t in tasks if t.catalogue_id}
    titles.update((i.catalogue_id, i.title_text) for i in items if i.catalogue_id)
    waiting = {i.catalogue_id for i in items if i.catalogue_id}
    priority = {task.id: task.priority for task in get_playbook().tasks}
    return [
        BacklogRow(
            item,
            titles.get(item.waiting_for, ""),
            not waiting & (set(item.prerequisites) - {item.catalogue_id}),
            priority.get(item.catalogue_id or "") == 1,
        )
        for item in items
    ]


def backlog_item_of_plan(plan: Plan, item_id: int) -> BacklogTask:
    item = plan.backlog.select_related("plan__team").filter(pk=item_id).first()
    if item is None:
        raise Http404("No such backlog task.")
    return item


@dataclass(frozen=True)
class CapacityRow:
    """One person (or the people the team counts who are not in Planner yet, together)
    and the plan's hours in each week against theirs."""

    member: int | None
    name: str
    seat: Seat
    hours: list[float]
    capacity: list[float]

    @property
    def weeks(self) -> list[tuple[float, float, bool]]:
        return [(h, c, h > c + 0.05) for h, c in zip(self.hours, self.capacity, strict=True)]

    @property
    def over(self) -> bool:
        return any(over for _, _, over in self.weeks)


@dataclass(frozen=True)
class CapacityTable:
    weeks: list[tuple[int, int]]
    rows: list[CapacityRow]

    @property
    def over(self) -> list[CapacityRow]:
        return [row for row in self.rows if row.over]


def plan_capacity(plan: Plan, tasks: Iterable[PlanTask]) -> CapacityTable:
    """The plan's hours per person and week against the capacity it was drafted for; a
    member without a seat (who joined later) counts with their own or the usual hours."""
    tasks = list(tasks)
    stored = [Seat(s.get("member"), float(s.get("weekly_hours", 0))) for s in plan.seats]
    named = {s.member: s for s in stored if s.member is not None}
    open_hours = sum(s.weekly_hours for s in stored if s.member is None)
    usual = max((s.weekly_hours for s in stored), default=DEFAULT_WEEKLY_HOURS)
    members = {
        m.user_id: m for m in Membership.objects.filter(team_id=plan.team_id).select_related("user")
    }
    for task in tasks:
        if task.assignee_id is not None and task.assignee_id not in named:
            own = members.get(task.assignee_id)
            hours = own.weekly_hours if own and own.weekly_hours is not None else usual
            named[task.assignee_id] = Seat(task.assignee_id, float(hours))
    loads = week_loads(
        (Span(t.assignee_id, t.start_day, t.day, float(t.effort_hours)) for t in tasks),
        plan.length,
    )
    empty = [0.0] * len(weeks(plan.length))
    rows = []
    for member, seat in named.items():
        membership = members.get(member) if member is not None else None
        name = membership.user.display_name if membership else _("a former member")
        rows.append(
            CapacityRow(
                member,
                name,
                seat,
                loads.get(member, empty),
                week_capacity(seat.weekly_hours, plan.length),
            )
        )
    rows.sort(key=lambda row: row.name.casefold())
    if open_hours or None in loads:
        count = sum(1 for s in stored if s.member is None)
        rows.append(
            CapacityRow(
                None,
                ngettext(
                    "%(count)s person not in Planner yet",
                    "%(count)s people not in Planner yet",
                    count,
                )
                % {"count": count},
                Seat(None, open_hours),
                loads.get(None, empty),
                week_capacity(open_hours, plan.length),
            )
        )
    return CapacityTable(weeks(plan.length), rows)


def capacity_warning(plan: Plan, task: PlanTask) -> str | None:
    """What a lead is told when a task's days or person put that person's week over
    their hours; None when the weeks hold."""
    if task.assignee_id is None:
        return None
    table = plan_capacity(plan, plan_tasks(plan))
    row = next((r for r in table.rows if r.member == task.assignee_id), None)
    if row is None:
        return None
    over = [
        (number, hours, limit)
        for number, ((first, last), (hours, limit, too_much)) in enumerate(
            zip(table.weeks, row.weeks, strict=True), 1
        )
        if too_much and first <= task.day and task.start_day <= last
    ]
    if not over:
        return None
    return _("This puts %(name)s over their hours: %(weeks)s.") % {
        "name": row.name,
        "weeks": ", ".join(
            _("week %(number)s holds %(hours)s of %(limit)s h")
            % {
                "number": number,
                "hours": f"{hours:.1f}".rstrip("0").rstrip("."),
                "limit": f"{limit:g}",
            }
            for number, hours, limit in over
        ),
    }


# A draft with more tasks than this opens only its first phase: the lead unfolds the rest.
OPEN_PHASES_UP_TO = 40


@dataclass(frozen=True)
class PhaseGroup:
    """One phase of the plan page: its tasks and a summary line."""

    number: int
    first: int
    last: int
    tasks: list[PlanTask]
    hours: float
    use: int | None  # percent of the team's hours in these days
    done: int
    open: bool  # unfolded when the page opens


def plan_phases(
    plan: Plan, tasks: list[PlanTask], weekly_hours: float, day: int | None
) -> list[PhaseGroup]:
    """The plan's tasks by phase. A draft unfolds every phase unless it is long; a running
    plan unfolds the phase of `day`, and any phase with an open task overdue."""
    groups = []
    for number, (first, last) in enumerate(plan.phases, 1):
        mine = [t for t in tasks if t.phase == number]
        hours = sum(float(t.effort_hours) for t in mine)
        held = weekly_hours * (last - first + 1) / 7
        if plan.is_draft:
            unfolded = number == 1 or len(tasks) <= OPEN_PHASES_UP_TO
        elif day is not None and plan.is_active:
            overdue = any(t.is_open and t.day < day for t in mine)
            unfolded = first <= day <= last or overdue or (number == 4 and day > last)
        else:
            unfolded = len(tasks) <= OPEN_PHASES_UP_TO
        groups.append(
            PhaseGroup(
                number=number,
                first=first,
                last=last,
                tasks=mine,
                hours=hours,
                use=round(100 * hours / held) if held else None,
                done=sum(1 for t in mine if t.is_done),
                open=unfolded,
            )
        )
    return groups
