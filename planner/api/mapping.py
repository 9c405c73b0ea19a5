"""Rows to API schemas: the one place that knows how a stored object looks outside."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language

from planner.accounts.models import User
from planner.api import schemas
from planner.plans.models import KpiTarget, Plan, part_title, task_paths, text_in
from planner.progress.models import KpiMeasurement
from planner.progress.selectors.dashboard_page import Dashboard
from planner.progress.selectors.kpis import KpiCard, reached
from planner.teams.models import Membership


def utc(moment: datetime | None) -> datetime | None:
    """Times go out in UTC, whatever zone they came in with."""
    return None if moment is None else moment.astimezone(UTC)


def person(user: User | None) -> schemas.PersonOut | None:
    return None if user is None else schemas.PersonOut(name=user.display_name, email=user.email)


def team(request: HttpRequest, membership: Membership) -> schemas.TeamOut:
    team = membership.team
    return schemas.TeamOut(
        slug=team.slug,
        name=team.name,
        time_zone=team.time_zone,
        language=team.language,
        role=membership.role,
        url=request.build_absolute_uri(reverse("team_detail", kwargs={"team_slug": team.slug})),
    )


def plan(request: HttpRequest, plan: Plan, team_slug: str) -> schemas.PlanOut:
    url = reverse("plan_detail", kwargs={"team_slug": team_slug, "plan_id": plan.pk})
    return schemas.PlanOut(
        id=plan.pk,
        team=team_slug,
        status=plan.status,
        length=plan.length,
        start_date=plan.start_date,
        created_at=utc(plan.created_at),
        started_at=utc(plan.started_at),
        playbook_version=plan.playbook_version,
        phases=[
            schemas.PhaseOut(
                number=number,
                first_day=first,
                last_day=last,
                starts_on=plan.date_of_day(first),
                ends_on=plan.date_of_day(last),
            )
            for number, (first, last) in enumerate(plan.phases, 1)
        ],
        maturity=[
            schemas.MaturityOut(
                area=row["area"],
                current=row["current"],
                target=row["target"],
                applicable=row["applicable"],
            )
            for row in plan.maturity
        ],
        url=request.build_absolute_uri(url),
    )


class TaskRows:
    """Maps a plan's task rows (`selectors.task_rows`) to the API's task objects: the
    language, the plan's dates and the task URL's form are worked out once per list, not
    once per task, which is most of what listing 300 tasks costs."""

    def __init__(self, request: HttpRequest, plan: Plan, team_slug: str) -> None:
        self.plan = plan
        self.language = (get_language() or "en")[:2]
        self.path = task_paths(team_slug, plan.pk)
        self.origin = request.build_absolute_uri("/").removesuffix("/")

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        title = part_title(text_in(row["title"], self.language), row["part"], row["parts"])
        assignee = row["assignee__email"]
        closer = row["closed_by__email"]
        return {
            "id": row["id"],
            "plan": self.plan.pk,
            "catalogue_id": row["catalogue_id"],
            "area": row["area"],
            "phase": row["phase"],
            "title": title,
            "first_day": row["start_day"],
            "due_day": row["day"],
            "due_on": self.plan.date_of_day(row["day"]),
            "part": row["part"],
            "parts": row["parts"],
            "effort_hours": float(row["effort_hours"]),
            "assignee": None
            if assignee is None
            else {"name": row["assignee__name"] or assignee, "email": assignee},
            "status": row["status"],
            "closed_at": utc(row["closed_at"]),
            "closed_by": None
            if closer is None
            else {"name": row["closed_by__name"] or closer, "email": closer},
            "skip_reason": row["skip_reason"],
            "note": row["note"],
            "evidence_url": row["evidence_url"],
            "notes_revision": row["notes_revision"],
            "url": self.origin + self.path(row["id"]),
        }


def kpi(card: KpiCard) -> schemas.KpiOut:
    target = card.target
    return schemas.KpiOut(
        kpi=target.kpi_id,
        title=target.title_text,
        area=target.area,
        unit=target.unit,
        direction=target.direction,
        baseline=target.baseline,
        target=target.target,
        band_low=target.band_low,
        band_high=target.band_high,
        latest=card.standing.latest,
        latest_at=utc(card.measurements[-1][1]) if card.measurements else None,
        reached=card.standing.reached,
        why=target.why_text,
    )


def measurement(row: KpiMeasurement, target: KpiTarget) -> schemas.MeasurementOut:
    return schemas.MeasurementOut(
        id=row.pk,
        kpi=target.kpi_id,
        value=row.value,
        measured_at=utc(row.measured_at),
        note=row.note,
        client_key=row.client_key,
        recorded_by=person(row.recorded_by),
        recorded_at=utc(row.recorded_at),
    )


def progress(board: Dashboard, kpis: list[KpiCard]) -> schemas.ProgressOut:
    standing = board.standing
    members = [
        schemas.MemberProgressOut(
            person=person(row.user),
            open=row.load.open,
            overdue=row.load.overdue,
            done=row.load.done,
        )
        for row in board.members
    ]
    if board.unassigned is not None:
        load = board.unassigned
        members.append(
            schemas.MemberProgressOut(
                person=None, open=load.open, overdue=load.overdue, done=load.done
            )
        )
    return schemas.ProgressOut(
        plan=board.plan.pk,
        status=board.plan.status,
        today=board.today,
        day=board.day,
        phase=board.phase,
        schedule=standing.schedule.value,
        percent_done=standing.percent_done,
        effort_done=standing.done,
        effort_total=standing.scope,
        overdue=board.overdue_count,
        kpis_reached=reached(kpis),
        kpis=len(kpis),
        phases=[
            schemas.PhaseProgressOut(
                number=phase.number,
                first_day=phase.first,
                last_day=phase.last,
                state=phase.state,
                tasks=phase.total,
                done=phase.done,
                skipped=phase.skipped,
                percent=phase.percent,
            )
            for phase in board.phases
        ],
        members=members,
    )
