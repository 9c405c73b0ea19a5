"""The team dashboard: where the running plan stands, what is overdue, who carries what,
the KPIs and the feed, in a fixed number of queries; cached under `dashboard_key`, and its
KPI cards, which a tick does not change, under `kpi_key` of their own."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max
from django.utils import timezone, translation

from planner.accounts.models import User
from planner.plans.days import plan_day
from planner.plans.models import Activity, Plan, PlanStatus, TaskStatus, task_paths
from planner.plans.selectors import team_members_for_plan
from planner.progress import charts
from planner.progress.models import KpiMeasurement
from planner.progress.selectors.facts import facts_by_plan
from planner.progress.selectors.feed import FeedEntry, feed_entries
from planner.progress.standing import (
    OPEN,
    BurnUp,
    MemberLoad,
    PhaseProgress,
    Schedule,
    Standing,
    burn_up,
    current_phase,
    phase_progress,
    standing,
    workload,
)
from planner.teams.models import Membership, Team

FEED_LENGTH = 20
OVERDUE_SHOWN = 10

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


def kpi_key(plan: Plan) -> str:
    """Everything the dashboard's KPI cards depend on: the plan's measurements (added or
    removed), its status (a finished plan takes no more), the team's address, the language
    and time zone. A running plan's targets never change (only a draft's do), and a tick
    leaves the cards alone: after one, only the rest of the dashboard is rebuilt.

    One small query, made only when the dashboard's body is rebuilt (a cached body holds
    the cards): the view passes it lazily."""
    stamps = KpiMeasurement.objects.filter(target__plan_id=plan.pk).aggregate(
        last=Max("pk"), count=Count("pk")
    )
    parts = [
        plan.pk,
        plan.status,
        stamps["last"],
        stamps["count"],
        plan.team.slug,
        translation.get_language(),
        timezone.get_current_timezone_name(),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@dataclass(slots=True)
class OverdueRow:
    title: str  # in the reader's language, with its part of a shared task
    url: str
    day: int
    assignee: str  # their name; empty when nobody has it


@dataclass(frozen=True, slots=True)
class MemberRow:
    user: User
    load: MemberLoad


@dataclass(frozen=True, slots=True)
class Dashboard:
    plan: Plan
    today: date
    day: int
    phase: int | None
    standing: Standing
    phases: list[PhaseProgress]
    burn: BurnUp
    burn_chart: charts.BurnUpChart
    burn_rows: list[tuple[int, float, float | None]]
    timeline: charts.TimelineChart
    overdue: list[OverdueRow]  # the first OVERDUE_SHOWN
    overdue_count: int
    members: list[MemberRow]
    unassigned: MemberLoad | None
    activity: list[FeedEntry]  # the newest FEED_LENGTH


def dashboard(plan: Plan, now: datetime) -> Dashboard:
    """The dashboard at `now`: the request's one reading of the clock, which its cache
    key was made from too."""
    today = plan.team.today(now)
    day = plan_day(plan.start_date, today) if plan.start_date else 0
    facts = facts_by_plan([plan])[plan.pk]
    overall = standing(facts, day, plan.length)
    if plan.status == PlanStatus.FINISHED:
        overall = Standing(
            Schedule.FINISHED,
            overall.done,
            overall.due_before_today,
            overall.due_by_tonight,
            overall.scope,
        )
    phases = phase_progress(facts, plan.phases, day)
    burn = burn_up(facts, plan.length, day)
    burn_rows = [
        (index, expected, burn.done[index] if index < len(burn.done) else None)
        for index, expected in enumerate(burn.expected)
    ]
    loads = workload(facts, day)
    members = [
        MemberRow(user, loads.get(user.pk) or MemberLoad(user.pk))
        for user in team_members_for_plan(plan)
    ]
    path = task_paths(plan.team.slug, plan.pk)
    overdue = [
        OverdueRow(
            title=task.title_text,
            url=path(task.pk),
            day=task.day,
            assignee=task.assignee.display_name if task.assignee is not None else "",
        )
        for task in plan.tasks.filter(status=TaskStatus.OPEN, day__lt=day)
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
        .order_by("day", "position", "pk")[:OVERDUE_SHOWN]
    ]
    activity = feed_entries(
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
        .order_by("-at", "-pk")[:FEED_LENGTH],
        team_slug=plan.team.slug,
        plan_id=plan.pk,
        link_tasks=True,
    )
    return Dashboard(
        plan=plan,
        today=today,
        day=day,
        phase=current_phase(plan.phases, day),
        standing=overall,
        phases=phases,
        burn=burn,
        burn_chart=charts.burn_up_chart(burn, [p.first for p in phases], day),
        burn_rows=burn_rows,
        timeline=charts.timeline_chart(plan.phases, plan.length, day, [p.state for p in phases]),
        overdue=overdue,
        overdue_count=sum(1 for f in facts if f.status == OPEN and f.day < day),
        members=members,
        unassigned=loads.get(None),
        activity=activity,
    )
