"""Reads for exports: a plan as one sheet of plain rows (what CSV, Markdown and the printed
report show), in a fixed number of queries, texts in the active language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from planner.assessment.models import Assessment
from planner.assessment.scoring import area_scores
from planner.plans.models import Plan, PlanStatus, PlanTask
from planner.plans.selectors import plan_backlog
from planner.playbook.loader import get_playbook
from planner.progress.selectors.kpis import kpi_cards


@dataclass(frozen=True, slots=True)
class TaskRow:
    phase: int
    start_day: int
    day: int
    start_date: date | None
    due_date: date | None
    title: str  # with "(part 1 of 2)" for a shared task
    own_title: str
    part: int
    parts: int
    assignee_name: str
    assignee_email: str
    status: str  # open, done, skipped
    status_label: str
    closed_at: datetime | None
    closed_by: str
    effort_hours: Decimal
    skip_reason: str
    note: str
    evidence_url: str

    @property
    def is_done(self) -> bool:
        return self.status == "done"


@dataclass(frozen=True, slots=True)
class PhaseRow:
    number: int
    title: str
    first: int
    last: int
    first_date: date | None
    last_date: date | None
    tasks: list[TaskRow]

    @property
    def done(self) -> int:
        return sum(1 for task in self.tasks if task.is_done)

    @property
    def hours(self) -> Decimal:
        return sum((task.effort_hours for task in self.tasks), Decimal(0))


@dataclass(frozen=True, slots=True)
class KpiRow:
    title: str
    unit: str
    direction: str
    baseline: float
    target: float
    band: tuple[float, float] | None
    latest: float | None
    latest_at: datetime | None
    reached: bool


@dataclass(frozen=True, slots=True)
class MaturityRow:
    title: str
    applicable: bool
    before: int
    target: int
    after: int | None  # from an assessment completed after the plan was made, if any


@dataclass(frozen=True, slots=True)
class BacklogRow:
    phase: int
    title: str
    effort_hours: Decimal
    reason: str  # in words
    core: bool  # one of the article's core steps


@dataclass(frozen=True, slots=True)
class PlanSheet:
    plan: Plan
    team_name: str
    team_slug: str
    status_label: str
    start_date: date | None
    end_date: date | None
    phases: list[PhaseRow]
    kpis: list[KpiRow]
    maturity: list[MaturityRow]
    reassessed_at: datetime | None  # when the "after" maturity was assessed
    backlog: list[BacklogRow]

    @property
    def tasks(self) -> list[TaskRow]:
        return [task for phase in self.phases for task in phase.tasks]

    @property
    def done(self) -> int:
        return sum(phase.done for phase in self.phases)

    @property
    def effort_hours(self) -> Decimal:
        return sum((phase.hours for phase in self.phases), Decimal(0))


def _task_row(plan: Plan, task: PlanTask) -> TaskRow:
    return TaskRow(
        phase=task.phase,
        start_day=task.start_day,
        day=task.day,
        start_date=plan.date_of_day(task.start_day),
        due_date=plan.date_of_day(task.day),
        title=task.title_text,
        own_title=task.own_title,
        part=task.part,
        parts=task.parts,
        assignee_name=task.assignee.display_name if task.assignee else "",
        assignee_email=task.assignee.email if task.assignee else "",
        status=task.status,
        status_label=str(task.get_status_display()),
        closed_at=task.closed_at,
        closed_by=task.closed_by.display_name if task.closed_by else "",
        effort_hours=task.effort_hours,
        skip_reason=task.skip_reason,
        note=task.note,
        evidence_url=task.evidence_url,
    )


def _reassessment(plan: Plan) -> Assessment | None:
    """The team's newest assessment completed after the plan started: its "after" (the
    plan's own assessment was completed before it)."""
    if plan.status == PlanStatus.DRAFT:
        return None
    since = plan.started_at or plan.created_at
    return (
        Assessment.objects.filter(team_id=plan.team_id, completed_at__gt=since)
        .order_by("-completed_at")
        .first()
    )


def plan_sheet(plan: Plan, language: str) -> PlanSheet:
    """Everything a plan export shows; `plan` comes with its team. Call it inside the
    language the texts are wanted in (`language` picks the stored maturity titles)."""
    playbook = get_playbook()
    phase_titles = {phase.number: phase.title.get(language) for phase in playbook.phases}
    tasks = list(
        plan.tasks.select_related("assignee", "closed_by").order_by("day", "position", "pk")
    )
    rows = [_task_row(plan, task) for task in tasks]
    phases = []
    for number, (first, last) in enumerate(plan.phases, 1):
        phases.append(
            PhaseRow(
                number=number,
                title=phase_titles.get(number, ""),
                first=first,
                last=last,
                first_date=plan.date_of_day(first),
                last_date=plan.date_of_day(last),
                tasks=[row for row in rows if row.phase == number],
            )
        )
    kpis = [
        KpiRow(
            title=card.target.title_text,
            unit=card.target.unit,
            direction=card.target.direction,
            baseline=card.target.baseline,
            target=card.target.target,
            band=card.target.band,
            latest=card.standing.latest,
            latest_at=card.measurements[-1][1] if card.measurements else None,
            reached=card.standing.reached,
        )
        for card in kpi_cards(plan)
    ]
    later = _reassessment(plan)
    after = (
        {
            score.area: score.current
            for score in area_scores(
                playbook,
                later.answers,
                targets=later.targets,
                not_applicable=frozenset(later.not_applicable),
            )
            if score.applicable
        }
        if later
        else {}
    )
    maturity = [
        MaturityRow(
            title=str(area.get("title", {}).get(language) or area.get("title", {}).get("en", "")),
            applicable=bool(area.get("applicable", True)),
            before=int(area.get("current", 0)),
            target=int(area.get("target", 0)),
            after=after.get(str(area.get("area"))),
        )
        for area in plan.maturity
    ]
    backlog = [
        BacklogRow(
            phase=row.item.phase,
            title=row.item.title_text,
            effort_hours=row.item.effort_hours,
            reason=(
                _waits_for(row.waiting_for)
                if row.item.reason == "prerequisite" and row.waiting_for
                else str(row.item.get_reason_display())
            ),
            core=row.core,
        )
        for row in plan_backlog(plan, tasks)
    ]
    return PlanSheet(
        plan=plan,
        team_name=plan.team.name,
        team_slug=plan.team.slug,
        status_label=str(plan.get_status_display()),
        start_date=plan.start_date,
        end_date=plan.date_of_day(plan.length),
        phases=phases,
        kpis=kpis,
        maturity=maturity,
        reassessed_at=later.completed_at if later else None,
        backlog=backlog,
    )


def _waits_for(title: str) -> str:
    return _("waits for “%(title)s”") % {"title": title}
