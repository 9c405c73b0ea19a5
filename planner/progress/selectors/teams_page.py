"""All my teams: each team of the user with its running plan's standing and KPIs,
sortable by any column."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from planner.accounts.models import User
from planner.plans.models import KpiTarget, Plan, PlanStatus
from planner.progress.models import KpiMeasurement
from planner.progress.selectors.summaries import PlanSummary, plan_summaries
from planner.progress.standing import KpiStanding, Schedule
from planner.teams.models import Membership, Team


@dataclass(frozen=True, slots=True)
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
    Schedule.BEHIND: 0,
    Schedule.ON_TRACK: 1,
    Schedule.AHEAD: 2,
    Schedule.EARLY: 3,
    Schedule.NOT_STARTED: 4,
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
    kpis: dict[int, list[KpiStanding]] = defaultdict(list)
    # Only what a standing needs: not the targets' texts, read and decoded for nothing.
    targets = (
        KpiTarget.objects.filter(plan__in=plans)
        .annotate(latest=latest)
        .values_list(
            "plan_id", "direction", "baseline", "target", "band_low", "band_high", "latest"
        )
    )
    for plan_id, direction, baseline, target, low, high, measured in targets:
        band = None if low is None or high is None else (low, high)
        kpis[plan_id].append(KpiStanding(direction, baseline, target, measured, band))
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
