"""Writes for plans: generate a draft from an assessment, edit it, start it.

Only a draft is edited. Each service checks its rule and raises `PlanRuleError` with a
message for the user; nothing is stored when a rule refuses.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from planner.accounts.models import User
from planner.assessment.models import Assessment
from planner.assessment.services import assessment_complete
from planner.plans.draft import DraftTaskContent, GeneratorOptions, Member
from planner.plans.feed import record
from planner.plans.generator import generate_plan
from planner.plans.models import ActivityKind, BacklogTask, KpiTarget, Plan, PlanStatus, PlanTask
from planner.playbook.loader import Playbook
from planner.teams.models import Membership, Team


class PlanRuleError(Exception):
    """A plan rule refused a change; `field` names the input it is about, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def team_capacity(
    team: Team, team_size: int, default_hours: float
) -> tuple[tuple[Member, ...], tuple[float, ...]]:
    """The members who work on the plan, each with their own weekly hours or the
    self-assessment's, and a seat for each further person the team counts."""
    members = tuple(
        Member(
            id=m.user_id,
            name=m.user.display_name,
            weekly_hours=default_hours if m.weekly_hours is None else m.weekly_hours,
        )
        for m in Membership.objects.filter(team=team).select_related("user").order_by("user_id")
        if m.weekly_hours != 0
    )
    return members, (default_hours,) * max(team_size - len(members), 0)


@transaction.atomic
def plan_generate(
    *,
    assessment: Assessment,
    playbook: Playbook,
    user: User,
    length: int,
    start: date,
    now: datetime | None = None,
) -> Plan:
    """Complete the assessment and store a draft plan from it (replacing an older draft)."""
    if assessment.is_draft:
        assessment_complete(assessment=assessment, playbook=playbook, now=now)
    team = assessment.team
    members, open_seats = team_capacity(
        team,
        int(assessment.answers.get("team_size") or 1),
        float(assessment.answers.get("hours_per_week") or 4),
    )
    draft = generate_plan(
        playbook,
        assessment.answers,
        GeneratorOptions(
            start=start,
            length=length,
            targets=assessment.targets,
            not_applicable=frozenset(assessment.not_applicable),
            members=members,
            open_seats=open_seats,
        ),
    )
    Plan.objects.filter(team=team, status=PlanStatus.DRAFT).delete()
    plan = Plan.objects.create(
        team=team,
        assessment=assessment,
        length=draft.length,
        phases=[list(p) for p in draft.phases],
        maturity=[m.model_dump(mode="json") for m in draft.maturity],
        playbook_version=draft.playbook_version,
        seats=[seat.model_dump() for seat in draft.seats],
        created_by=user,
        created_at=now or timezone.now(),
    )
    PlanTask.objects.bulk_create(
        PlanTask(
            plan=plan,
            start_day=task.start_day,
            day=task.day,
            part=task.part,
            parts=task.parts,
            position=position,
            assignee_id=task.assignee,
            **_stored(task),
        )
        for position, task in enumerate(draft.tasks)
    )
    BacklogTask.objects.bulk_create(
        BacklogTask(
            plan=plan,
            position=position,
            reason=task.reason,
            waiting_for=task.waiting_for or "",
            **_stored(task),
        )
        for position, task in enumerate(draft.backlog)
    )
    KpiTarget.objects.bulk_create(
        KpiTarget(
            plan=plan,
            kpi_id=target.kpi_id,
            area=target.area,
            title=target.title.model_dump(),
            unit=target.unit,
            direction=target.direction,
            baseline=target.baseline,
            target=target.target,
            why=target.why.model_dump(),
            source=target.source,
            minimum=target.minimum,
            maximum=target.maximum,
            band_low=target.band_low,
            band_high=target.band_high,
        )
        for target in draft.kpi_targets
    )
    return plan


def _stored(task: DraftTaskContent) -> dict[str, Any]:
    """A drafted task's content as a plan task or a backlog entry stores it."""
    return {
        "catalogue_id": task.task_id,
        "area": task.area,
        "phase": task.phase,
        "effort_hours": Decimal(str(task.effort_hours)),
        "title": task.title.model_dump(),
        "description": task.description.model_dump(),
        "steps": [step.model_dump() for step in task.steps],
        "evidence": task.evidence.model_dump(),
        "why": task.why.model_dump(),
        "prerequisites": list(task.prerequisites),
    }


def _require_draft(plan: Plan) -> None:
    if not plan.is_draft:
        raise PlanRuleError(_("Only a draft plan can be edited."))


def _check_day(plan: Plan, phase: int, day: int) -> None:
    first, last = plan.phase_days(phase)
    if not first <= day <= last:
        raise PlanRuleError(
            _("Phase %(phase)s covers days %(first)s to %(last)s.")
            % {"phase": phase, "first": first, "last": last},
            field="day",
        )


def _check_assignee(plan: Plan, assignee: User | None) -> None:
    if (
        assignee is not None
        and not Membership.objects.filter(team_id=plan.team_id, user=assignee).exists()
    ):
        raise PlanRuleError(_("Choose a member of the team."), field="assignee")


def _require_editable(plan: Plan) -> None:
    """Leads shape a draft freely; a running plan still takes new days, people and titles."""
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.ACTIVE):
        raise PlanRuleError(_("A finished or archived plan cannot be edited."))


@transaction.atomic
def plan_task_update(
    *,
    task: PlanTask,
    title: str,
    day: int,
    assignee: User | None,
    user: User | None = None,
    now: datetime | None = None,
) -> PlanTask:
    """Change a task's title, due day and assignee (a draft, or a running plan's open
    tasks). A new due day moves the task's days with it, within its phase; it must still
    start after its prerequisites end and end before its dependants start.

    The row is locked and re-read, so a tick or another edit at the same moment is kept;
    in a running plan each change is recorded in the activity feed.
    """
    locked = PlanTask.objects.select_for_update(of=("self",)).select_related("plan").get(pk=task.pk)
    plan = locked.plan
    _require_editable(plan)
    _check_day(plan, locked.phase, day)
    _check_assignee(plan, assignee)
    start_day = max(day - (locked.day - locked.start_day), plan.phase_days(locked.phase)[0])
    others = [t for t in plan.tasks.exclude(pk=locked.pk) if t.catalogue_id]
    for prerequisite in locked.prerequisites:
        before = max(
            (t for t in others if t.catalogue_id == prerequisite),
            key=lambda t: t.day,
            default=None,
        )
        if before is not None and before.day >= start_day:
            raise PlanRuleError(
                _("It must start after its prerequisite “%(title)s” ends (day %(day)s).")
                % {"title": before.title_text, "day": before.day},
                field="day",
            )
    for other in others:
        if (
            locked.catalogue_id
            and locked.catalogue_id in other.prerequisites
            and other.start_day <= day
        ):
            raise PlanRuleError(
                _("“%(title)s” (from day %(day)s) depends on it; it must end before.")
                % {"title": other.title_text, "day": other.start_day},
                field="day",
            )
    title = title.strip()
    if not title:
        raise PlanRuleError(_("Enter a title."), field="title")
    changes: list[tuple[ActivityKind, dict[str, str | int]]] = []
    if title != locked.own_title:
        locked.title = {"en": title, "de": title}
        changes.append((ActivityKind.RENAMED, {"title": title}))
    if day != locked.day:
        changes.append((ActivityKind.MOVED, {"day": day, "from": locked.day}))
        locked.start_day, locked.day = start_day, day
    if (assignee.pk if assignee else None) != locked.assignee_id:
        changes.append((ActivityKind.ASSIGNED, {"to": assignee.display_name if assignee else ""}))
        locked.assignee = assignee
    locked.save(update_fields=["title", "start_day", "day", "assignee"])
    if plan.status == PlanStatus.ACTIVE:
        for kind, detail in changes:
            record(plan, user, kind, task=locked, at=now, detail=dict(detail))
    for name in (
        "title",
        "start_day",
        "day",
        "assignee",
        "status",
        "closed_at",
        "closed_by_id",
        "note",
    ):
        setattr(task, name, getattr(locked, name))
    return task


@transaction.atomic
def plan_task_remove(*, task: PlanTask) -> None:
    plan = task.plan
    _require_draft(plan)
    if task.catalogue_id:
        for other in plan.tasks.exclude(pk=task.pk):
            if task.catalogue_id in other.prerequisites:
                other.prerequisites = [p for p in other.prerequisites if p != task.catalogue_id]
                other.save(update_fields=["prerequisites"])
    task.delete()


@transaction.atomic
def plan_task_add(
    *,
    plan: Plan,
    title: str,
    description: str,
    phase: int,
    day: int,
    assignee: User | None,
    effort_hours: Decimal,
    user: User | None = None,
) -> PlanTask:
    _require_editable(plan)
    _check_day(plan, phase, day)
    _check_assignee(plan, assignee)
    custom = {}
    for language in ("en", "de"):
        with translation.override(language):
            custom[language] = _("Added by the team's lead.")
    task = PlanTask.objects.create(
        plan=plan,
        phase=phase,
        start_day=day,
        day=day,
        position=10_000,
        assignee=assignee,
        effort_hours=effort_hours,
        title={"en": title.strip(), "de": title.strip()},
        description={"en": description.strip(), "de": description.strip()},
        why=custom,
    )
    if plan.status == PlanStatus.ACTIVE:
        record(plan, user, ActivityKind.ADDED, task=task)
    return task


def kpi_target_update(*, target: KpiTarget, value: float) -> KpiTarget:
    _require_draft(target.plan)
    if target.direction == "lower" and value > target.baseline:
        raise PlanRuleError(
            _("Lower is better here: the target cannot be above the baseline (%(baseline)s).")
            % {"baseline": f"{target.baseline:g}"},
            field="target",
        )
    if target.direction == "higher" and value < target.baseline:
        raise PlanRuleError(
            _("Higher is better here: the target cannot be below the baseline (%(baseline)s).")
            % {"baseline": f"{target.baseline:g}"},
            field="target",
        )
    if target.unit == "percent" and not 0 <= value <= 100:
        raise PlanRuleError(_("A percentage lies between 0 and 100."), field="target")
    if value < 0:
        raise PlanRuleError(_("The target cannot be negative."), field="target")
    target.target = value
    target.save(update_fields=["target"])
    return target


def kpi_band_update(*, target: KpiTarget, low: float, high: float) -> KpiTarget:
    """A lead sets a band KPI's healthy band. A target the plan aimed into the band moves
    with it; a target the plan holds outside it (its work waits in the backlog) stays."""
    _require_draft(target.plan)
    band = target.band
    if band is None:
        raise PlanRuleError(_("This KPI has a single target, not a band."), field="low")
    if low >= high:
        raise PlanRuleError(_("The upper edge must lie above the lower one."), field="high")
    if target.unit == "percent" and high > 100:
        raise PlanRuleError(_("A percentage lies between 0 and 100."), field="high")
    if low < 0:
        raise PlanRuleError(_("The band cannot start below 0."), field="low")
    if band[0] <= target.target <= band[1]:
        target.target = min(max(target.baseline, low), high)
    target.band_low, target.band_high = low, high
    target.save(update_fields=["band_low", "band_high", "target"])
    return target


@transaction.atomic
def plan_start(
    *,
    plan: Plan,
    start_date: date,
    now: datetime | None = None,
    user: User | None = None,
) -> Plan:
    """Start a draft on a date, not in the past on the team's calendar; the start and its
    feed entry are one transaction. Its reminders count from now, or from the start of
    day 1 when that is today: a kick-off due earlier today still goes out."""
    _require_draft(plan)
    now = now or timezone.now()
    if start_date < plan.team.today(now):
        raise PlanRuleError(_("The start date cannot be in the past."), field="start_date")
    if Plan.objects.filter(
        team_id=plan.team_id, status__in=[PlanStatus.ACTIVE, PlanStatus.PAUSED]
    ).exists():
        raise PlanRuleError(
            _("This team already has an active plan. Finish or archive it first."),
            field="start_date",
        )
    reminders_from = min(now, plan.team.start_of(start_date))
    try:
        with transaction.atomic():  # a savepoint: the constraint may refuse the update
            updated = Plan.objects.filter(pk=plan.pk, status=PlanStatus.DRAFT).update(
                status=PlanStatus.ACTIVE,
                start_date=start_date,
                started_at=now,
                reminders_from=reminders_from,
                next_reminder_at=now,
            )
    except IntegrityError:  # another draft was started at the same moment
        raise PlanRuleError(
            _("This team already has an active plan. Finish or archive it first."),
            field="start_date",
        ) from None
    if not updated:
        raise PlanRuleError(_("Only a draft plan can be edited."))
    plan.refresh_from_db()
    record(plan, user, ActivityKind.STARTED, at=now)
    return plan


@transaction.atomic
def plan_pause(*, plan: Plan, user: User | None, now: datetime | None = None) -> Plan:
    """Hold a running plan: no ticks, no reminders, until it is resumed."""
    if not Plan.objects.filter(pk=plan.pk, status=PlanStatus.ACTIVE).update(
        status=PlanStatus.PAUSED, next_reminder_at=None
    ):
        raise PlanRuleError(_("Only a running plan can be paused."))
    plan.status, plan.next_reminder_at = PlanStatus.PAUSED, None
    record(plan, user, ActivityKind.PAUSED, at=now)
    return plan


@transaction.atomic
def plan_resume(*, plan: Plan, user: User | None, now: datetime | None = None) -> Plan:
    """Run a paused plan again. Its reminders count from now: boundaries that passed while
    it was paused are recorded as skipped rather than sent late."""
    now = now or timezone.now()
    if not Plan.objects.filter(pk=plan.pk, status=PlanStatus.PAUSED).update(
        status=PlanStatus.ACTIVE, reminders_from=now, next_reminder_at=now
    ):
        raise PlanRuleError(_("Only a paused plan can be resumed."))
    plan.status, plan.reminders_from, plan.next_reminder_at = PlanStatus.ACTIVE, now, now
    record(plan, user, ActivityKind.RESUMED, at=now)
    return plan


@transaction.atomic
def plan_move_start(
    *, plan: Plan, start_date: date, user: User | None, now: datetime | None = None
) -> Plan:
    """Move a running plan's day 1; its reminders move with it and count from now.
    Boundaries already sent stay sent, and one that the move puts in the past is recorded
    as skipped."""
    if plan.status not in (PlanStatus.ACTIVE, PlanStatus.PAUSED):
        raise PlanRuleError(_("Only a running or paused plan can be moved."), field="start_date")
    now = now or timezone.now()
    today = plan.team.today(now)
    earliest = today - timedelta(days=plan.length - 1)
    if start_date < earliest:
        raise PlanRuleError(
            _("Day 1 cannot be before %(date)s: the plan would be over.")
            % {"date": formats.date_format(earliest, "DATE_FORMAT")},
            field="start_date",
        )
    if start_date > today + timedelta(days=365):
        raise PlanRuleError(_("Choose a start within the next year."), field="start_date")
    if start_date == plan.start_date:
        return plan
    # The dispatcher looks at a running plan again now; a paused one when it resumes.
    next_at = now if plan.status == PlanStatus.ACTIVE else None
    Plan.objects.filter(pk=plan.pk).update(
        start_date=start_date, reminders_from=now, next_reminder_at=next_at
    )
    plan.start_date, plan.reminders_from, plan.next_reminder_at = start_date, now, next_at
    record(plan, user, ActivityKind.RESCHEDULED, at=now, detail={"start": start_date.isoformat()})
    return plan


def plan_archive(*, plan: Plan) -> Plan:
    """Set a draft or active plan aside; it stays readable, and the team may start another."""
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.ACTIVE, PlanStatus.PAUSED):
        raise PlanRuleError(_("This plan is already finished or archived."))
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.ARCHIVED)
    plan.status = PlanStatus.ARCHIVED
    return plan
