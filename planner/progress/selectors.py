"""Reads for progress pages: each page costs a fixed number of queries, whatever the
number of tasks, measurements or teams; the figures come from `status`."""

from __future__ import annotations

import hashlib
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from planner.accounts.models import User
from planner.plans.models import Activity, KpiTarget, Plan, PlanStatus, PlanTask, TaskStatus
from planner.plans.selectors import team_members_for_plan
from planner.progress import charts, status
from planner.progress.models import KpiMeasurement
from planner.teams.models import Membership, Team

TREND_POINTS = 12
FEED_LENGTH = 20
OVERDUE_SHOWN = 10
TAKE_SHOWN = 15


_ACTIVITY, _MEMBERSHIP = Activity._meta.db_table, Membership._meta.db_table
_USER, _PLAN = User._meta.db_table, Plan._meta.db_table
# Only table names are formatted in; every value is a query parameter.
_CURRENT_PLAN_SQL = f"""
SELECT plan.*,
  (SELECT MAX(a.id) FROM {_ACTIVITY} a WHERE a.plan_id = plan.id) AS feed_stamp,
  (SELECT COUNT(*) FROM {_MEMBERSHIP} m WHERE m.team_id = plan.team_id) AS member_count,
  (SELECT MAX(m.id) FROM {_MEMBERSHIP} m WHERE m.team_id = plan.team_id) AS member_last,
  (SELECT MAX(u.updated_at) FROM {_MEMBERSHIP} m JOIN {_USER} u ON u.id = m.user_id
    WHERE m.team_id = plan.team_id) AS member_edit
FROM {_PLAN} plan
WHERE plan.team_id = %s AND plan.status IN (%s, %s, %s)
ORDER BY CASE WHEN plan.status = %s THEN 1 ELSE 0 END, plan.started_at DESC
LIMIT 1
"""  # noqa: S608


def current_plan(team: Team) -> Plan | None:
    """The running (or paused) plan, else the latest finished one, with the stamps `dashboard_key`
    needs, in one query.

    Written as SQL because building the same query with four ORM subqueries took longer
    (about 2 ms) than everything else a cached dashboard request does.
    """
    params = [
        team.pk,
        PlanStatus.ACTIVE,
        PlanStatus.PAUSED,
        PlanStatus.FINISHED,
        PlanStatus.FINISHED,
    ]
    plan = next(iter(Plan.objects.raw(_CURRENT_PLAN_SQL, params)), None)
    if plan is not None:
        plan.team = team
    return plan


def dashboard_key(plan: Plan, today: date) -> str:
    """Everything the dashboard's figures depend on.

    Every change to a running plan (a tick, an edit, a measurement) records an activity in
    the same transaction, so the newest activity stamps the plan's state; members joining,
    leaving or renaming themselves stamp the names; the day moves "today"; the language and
    time zone change the words and clock times.
    """
    parts = [
        plan.pk,
        plan.status,
        getattr(plan, "feed_stamp", None),
        getattr(plan, "member_count", None),
        getattr(plan, "member_last", None),
        getattr(plan, "member_edit", None),
        today.isoformat(),
        plan.team.name,
        plan.team.slug,
        plan.team.time_zone,
        translation.get_language(),
        timezone.get_current_timezone_name(),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def facts_by_plan(plans: Iterable[Plan]) -> dict[int, list[status.TaskFact]]:
    """Every task of the plans as plain facts, in one query."""
    by_id = {plan.pk: plan for plan in plans}
    zones = {pk: zoneinfo.ZoneInfo(plan.team.time_zone) for pk, plan in by_id.items()}
    result: dict[int, list[status.TaskFact]] = {pk: [] for pk in by_id}
    rows = PlanTask.objects.filter(plan_id__in=by_id).values_list(
        "plan_id", "phase", "day", "effort_hours", "status", "closed_at", "assignee_id"
    )
    for plan_id, phase, day, effort, state, closed_at, assignee_id in rows:
        closed_day = None
        start = by_id[plan_id].start_date
        if closed_at is not None and start is not None:
            closed_day = status.plan_day(start, closed_at.astimezone(zones[plan_id]).date())
        result[plan_id].append(
            status.TaskFact(phase, day, float(effort), state, closed_day, assignee_id)
        )
    return result


# --- the team dashboard --------------------------------------------------------------


@dataclass
class MemberRow:
    user: User
    load: status.MemberLoad


@dataclass
class KpiCard:
    target: KpiTarget
    standing: status.KpiStanding
    measurements: list[tuple[float, datetime]]  # newest last
    spark: charts.Sparkline | None


@dataclass
class Dashboard:
    plan: Plan
    today: date
    day: int
    phase: int | None
    standing: status.Standing
    phases: list[status.PhaseProgress]
    burn: status.BurnUp
    burn_chart: charts.BurnUpChart
    burn_rows: list[tuple[int, float, float | None]]
    timeline: charts.TimelineChart
    overdue: list[PlanTask]
    overdue_count: int
    members: list[MemberRow]
    unassigned: status.MemberLoad | None
    activity: list[Activity]
    kpis: list[KpiCard] = field(default_factory=list)

    @property
    def kpis_reached(self) -> int:
        return sum(1 for card in self.kpis if card.standing.reached)


def plan_url(plan: Plan) -> str:
    return reverse("plan_detail", kwargs={"team_slug": plan.team.slug, "plan_id": plan.pk})


def with_urls(tasks: Iterable[PlanTask], base: str) -> list[PlanTask]:
    """Give each task its page URL from its plan's URL: one reversal per plan, not per row
    (a reversal costs about 55 µs, which a 300-task page would feel)."""
    result = []
    for task in tasks:
        task.url = f"{base}tasks/{task.pk}/"  # type: ignore[attr-defined]
        result.append(task)
    return result


def kpi_cards(plan: Plan) -> list[KpiCard]:
    targets = list(plan.kpi_targets.all())
    ranked = (
        KpiMeasurement.objects.filter(target__plan=plan)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("target_id")],
                order_by=[F("measured_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=TREND_POINTS)
        .values_list("target_id", "value", "measured_at")
    )
    history: dict[int, list[tuple[float, datetime]]] = defaultdict(list)
    for target_id, value, measured_at in ranked:
        history[target_id].append((value, measured_at))
    cards = []
    for target in targets:
        measured = sorted(history.get(target.pk, []), key=lambda pair: pair[1])
        values = [value for value, _ in measured]
        standing = status.KpiStanding(
            direction=target.direction,
            baseline=target.baseline,
            target=target.target,
            latest=values[-1] if values else None,
            band=target.band,
        )
        spark = charts.sparkline(values, target.baseline, target.target) if values else None
        cards.append(KpiCard(target, standing, measured, spark))
    return cards


def dashboard(plan: Plan, now: datetime) -> Dashboard:
    """The dashboard at `now`: the request's one reading of the clock, which its cache
    key was made from too."""
    today = plan.team.today(now)
    day = status.plan_day(plan.start_date, today) if plan.start_date else 0
    facts = facts_by_plan([plan])[plan.pk]
    standing = status.standing(facts, day, plan.length)
    if plan.status == PlanStatus.FINISHED:
        standing = status.Standing(
            status.Schedule.FINISHED,
            standing.done,
            standing.due_before_today,
            standing.due_by_tonight,
            standing.scope,
        )
    phases = status.phase_progress(facts, plan.phases, day)
    burn = status.burn_up(facts, plan.length, day)
    burn_rows = [
        (index, expected, burn.done[index] if index < len(burn.done) else None)
        for index, expected in enumerate(burn.expected)
    ]
    loads = status.workload(facts, day)
    members = [
        MemberRow(user, loads.get(user.pk) or status.MemberLoad(user.pk))
        for user in team_members_for_plan(plan)
    ]
    base = plan_url(plan)
    overdue = with_urls(
        plan.tasks.filter(status=TaskStatus.OPEN, day__lt=day)
        .select_related("assignee")
        .only(
            "pk",
            "day",
            "title",
            "part",
            "parts",
            "phase",
            "plan_id",
            "assignee__name",
            "assignee__email",
        )
        .order_by("day", "position", "pk")[:OVERDUE_SHOWN],
        base,
    )
    activity = list(
        Activity.objects.filter(plan=plan)
        .select_related("actor", "task", "kpi_target")
        .only(
            "kind",
            "detail",
            "at",
            "task_id",
            "actor__name",
            "actor__email",
            "task__title",
            "task__part",
            "task__parts",
            "kpi_target__title",
            "kpi_target__unit",
        )
        .order_by("-at", "-pk")[:FEED_LENGTH]
    )
    for entry in activity:
        if entry.task_id is not None:
            entry.task_url = f"{base}tasks/{entry.task_id}/"  # type: ignore[attr-defined]
    return Dashboard(
        plan=plan,
        today=today,
        day=day,
        phase=status.current_phase(plan.phases, day),
        standing=standing,
        phases=phases,
        burn=burn,
        burn_chart=charts.burn_up_chart(burn, [p.first for p in phases], day),
        burn_rows=burn_rows,
        timeline=charts.timeline_chart(plan.phases, plan.length, day, [p.state for p in phases]),
        overdue=overdue,
        overdue_count=sum(1 for f in facts if f.status == status.OPEN and f.day < day),
        members=members,
        unassigned=loads.get(None),
        activity=activity,
        kpis=kpi_cards(plan),
    )


# --- my tasks --------------------------------------------------------------------------


@dataclass
class PlanSummary:
    plan: Plan
    url: str
    day: int
    phase: int | None
    standing: status.Standing
    phases: list[status.PhaseProgress]

    @property
    def current(self) -> status.PhaseProgress | None:
        return next((p for p in self.phases if p.state == "current"), None)


@dataclass
class MyTasks:
    overdue: list[PlanTask] = field(default_factory=list)
    today: list[PlanTask] = field(default_factory=list)
    this_week: list[PlanTask] = field(default_factory=list)
    later: list[PlanTask] = field(default_factory=list)
    recently_done: list[PlanTask] = field(default_factory=list)
    available: list[PlanTask] = field(default_factory=list)
    available_count: int = 0
    plans: list[PlanSummary] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.this_week) + len(self.later)


def active_plans_of(user: User) -> list[Plan]:
    return list(
        Plan.objects.select_related("team")
        .filter(status=PlanStatus.ACTIVE, team__memberships__user=user)
        .order_by("team__name")
    )


def plan_summaries(plans: list[Plan], now: datetime) -> list[PlanSummary]:
    facts = facts_by_plan(plans)
    summaries = []
    for plan in plans:
        today = plan.team.today(now)
        day = status.plan_day(plan.start_date, today) if plan.start_date else 0
        summaries.append(
            PlanSummary(
                plan=plan,
                url=plan_url(plan),
                day=day,
                phase=status.current_phase(plan.phases, day),
                standing=status.standing(facts[plan.pk], day, plan.length),
                phases=status.phase_progress(facts[plan.pk], plan.phases, day),
            )
        )
    return summaries


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


def _due(task: PlanTask, plan: Plan) -> date:
    return plan.date_of_day(task.day) or date.max  # a running plan always has a start


def my_tasks(user: User, now: datetime | None = None) -> MyTasks:
    now = now or timezone.now()
    plans = active_plans_of(user)
    result = MyTasks(plans=plan_summaries(plans, now))
    if not plans:
        return result
    by_id = {plan.pk: plan for plan in plans}
    urls = {summary.plan.pk: summary.url for summary in result.plans}
    recent = now - timedelta(days=7)
    mine = PlanTask.objects.filter(
        Q(status=TaskStatus.OPEN) | Q(closed_at__gte=recent), plan_id__in=by_id, assignee=user
    ).only(*_ROW_FIELDS)
    for task in mine:
        plan = by_id[task.plan_id]
        task.plan = plan
        task.url = f"{urls[plan.pk]}tasks/{task.pk}/"  # type: ignore[attr-defined]
        due = _due(task, plan)
        task.due = due  # type: ignore[attr-defined]
        if task.status != TaskStatus.OPEN:
            result.recently_done.append(task)
            continue
        today = plan.team.today(now)
        week_end = today + timedelta(days=6 - today.weekday())
        if due < today:
            result.overdue.append(task)
        elif due == today:
            result.today.append(task)
        elif due <= week_end:
            result.this_week.append(task)
        else:
            result.later.append(task)
    for group in (result.overdue, result.today, result.this_week, result.later):
        group.sort(key=lambda t: (t.due, t.plan.team.name, t.pk))  # type: ignore[attr-defined]
    result.recently_done.sort(key=lambda t: t.closed_at or now, reverse=True)
    available = PlanTask.objects.filter(
        plan_id__in=by_id, assignee__isnull=True, status=TaskStatus.OPEN
    )
    result.available_count = available.count()
    for task in available.only(*_ROW_FIELDS).order_by("day", "position", "pk")[:TAKE_SHOWN]:
        plan = by_id[task.plan_id]
        task.plan = plan
        task.url = f"{urls[plan.pk]}tasks/{task.pk}/"  # type: ignore[attr-defined]
        task.due = _due(task, plan)  # type: ignore[attr-defined]
        result.available.append(task)
    return result


def my_task_row(task: PlanTask) -> PlanTask:
    """One task dressed like a My tasks row, for an htmx swap."""
    plan = task.plan
    task.url = f"{plan_url(plan)}tasks/{task.pk}/"  # type: ignore[attr-defined]
    task.due = _due(task, plan)  # type: ignore[attr-defined]
    return task


# --- all my teams -----------------------------------------------------------------------


@dataclass
class TeamRow:
    membership: Membership
    summary: PlanSummary | None
    kpis_total: int = 0
    kpis_reached: int = 0
    kpis_measured: int = 0

    @property
    def team(self) -> Team:
        return self.membership.team

    def sort_key(self, column: str) -> Any:
        """The value a column sorts by; rows without a plan are put last by the caller."""
        summary = self.summary
        if summary is None or column == "name":
            return self.team.name.casefold()
        if column == "phase":
            return (summary.phase or 0, summary.day)
        if column == "status":
            return _SCHEDULE_ORDER.get(summary.standing.schedule, 9)
        if column == "progress":
            return summary.standing.percent_done
        return self.kpis_reached / self.kpis_total if self.kpis_total else -1.0


# Worst first: a lead sorting by status wants the teams that need help on top.
_SCHEDULE_ORDER = {
    status.Schedule.BEHIND: 0,
    status.Schedule.ON_TRACK: 1,
    status.Schedule.AHEAD: 2,
    status.Schedule.EARLY: 3,
    status.Schedule.NOT_STARTED: 4,
}


SORT_COLUMNS = ("name", "phase", "status", "progress", "kpis")


def teams_overview(
    user: User, sort: str = "name", descending: bool = False, now: datetime | None = None
) -> list[TeamRow]:
    memberships = list(
        Membership.objects.filter(user=user).select_related("team").order_by("team__name")
    )
    plans = list(
        Plan.objects.select_related("team").filter(
            status=PlanStatus.ACTIVE, team__memberships__user=user
        )
    )
    summaries = {s.plan.team_id: s for s in plan_summaries(plans, now or timezone.now())}
    latest = Subquery(
        KpiMeasurement.objects.filter(target=OuterRef("pk"))
        .order_by("-measured_at", "-pk")
        .values("value")[:1]
    )
    kpis: dict[int, list[status.KpiStanding]] = defaultdict(list)
    for target in KpiTarget.objects.filter(plan__in=plans).annotate(latest=latest):
        kpis[target.plan_id].append(
            status.KpiStanding(
                target.direction,
                target.baseline,
                target.target,
                target.latest,
                target.band,
            )
        )
    rows = []
    for membership in memberships:
        summary = summaries.get(membership.team_id)
        standings = kpis.get(summary.plan.pk, []) if summary else []
        rows.append(
            TeamRow(
                membership,
                summary,
                kpis_total=len(standings),
                kpis_reached=sum(1 for s in standings if s.reached),
                kpis_measured=sum(1 for s in standings if s.latest is not None),
            )
        )
    column = sort if sort in SORT_COLUMNS else "name"
    planned = [row for row in rows if row.summary is not None]
    planned.sort(key=lambda row: row.team.name.casefold())  # ties keep name order
    planned.sort(key=lambda row: row.sort_key(column), reverse=descending)
    unplanned = [row for row in rows if row.summary is None]
    if column == "name":
        return sorted(rows, key=lambda row: row.sort_key(column), reverse=descending)
    return planned + unplanned


def task_for_member(membership: Membership, plan_id: int, task_id: int) -> PlanTask:
    task = (
        PlanTask.objects.select_related("plan__team", "assignee", "closed_by")
        .filter(pk=task_id, plan_id=plan_id, plan__team_id=membership.team_id)
        .first()
    )
    if task is None:
        raise Http404("No such task.")
    return task


def task_history(task: PlanTask) -> QuerySet[Activity]:
    return task.activities.select_related("actor").order_by("-at", "-pk")
