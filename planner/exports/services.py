"""Importing a team's export document into a team: all of it in one transaction, or nothing.

The rules, and why:
- It goes into the team whose lead imports it; the file's team name, slug, time zone and
  language are not applied (the importing team keeps its own settings).
- People are matched by email to members of that team only. Nobody is added to a team or
  created: a file must not be a way into someone else's team. An assignee who is not a
  member leaves the task unassigned; an actor who is not a member is kept by name and
  address in the feed entry, so the feed still says who did what.
- A team runs one plan at a time (a database constraint). A running plan in the file is
  refused while the team runs one: importing it paused would hit the same constraint, and
  quietly storing it as archived would lose its state. The lead finishes or archives the
  team's plan, then imports again.
- An imported running plan's reminders count from the import: boundaries that passed are
  recorded as skipped, never sent late.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from planner.accounts.models import User
from planner.exports import schema
from planner.exports.document import ACTOR_EMAIL, ACTOR_NAME
from planner.plans.models import (
    Activity,
    BacklogTask,
    KpiTarget,
    Plan,
    PlanStatus,
    PlanTask,
)
from planner.progress.models import KpiMeasurement
from planner.teams.models import Team

RUNNING = (PlanStatus.ACTIVE, PlanStatus.PAUSED)


class ImportRefused(Exception):
    """The file cannot be imported into this team; nothing was stored."""


@dataclass
class ImportResult:
    plans: int = 0
    tasks: int = 0
    unmatched: dict[str, str] = field(default_factory=dict)  # email: name, not members


class _People:
    """The importing team's members by email; whoever else the file names is noted."""

    def __init__(self, team: Team, result: ImportResult) -> None:
        self.members = {
            user.email.lower(): user for user in User.objects.filter(memberships__team=team)
        }
        self.result = result

    def __call__(self, person: schema.Person | None) -> User | None:
        if person is None:
            return None
        user = self.members.get(person.email)
        if user is None:
            self.result.unmatched.setdefault(person.email, person.name)
        return user


def _content(task: schema.TaskContent) -> dict[str, object]:
    return {
        "catalogue_id": task.catalogue_id,
        "area": task.area,
        "phase": task.phase,
        "effort_hours": task.effort_hours,
        "title": dict(task.title),
        "description": dict(task.description),
        "steps": [dict(step) for step in task.steps],
        "evidence": dict(task.evidence),
        "why": dict(task.why),
        "prerequisites": list(task.prerequisites),
    }


def _plan(team: Team, document: schema.Plan, people: _People, now: datetime) -> int:
    """Store one plan of the document; returns how many tasks it holds."""
    running = document.status in RUNNING
    plan = Plan.objects.create(
        team=team,
        assessment=None,
        status=document.status,
        length=document.length,
        phases=[[first, last] for first, last in document.phases],
        maturity=[area.model_dump(mode="json") for area in document.maturity],
        playbook_version=document.playbook_version,
        start_date=document.start_date,
        created_by=people(document.created_by),
        created_at=document.created_at,
        started_at=document.started_at,
        seats=[
            {
                "member": member.pk if (member := people(seat.member)) else None,
                "weekly_hours": seat.weekly_hours,
            }
            for seat in document.seats
        ],
        reminders_from=now if running else None,
        next_reminder_at=now if document.status == "active" else None,
    )
    tasks = PlanTask.objects.bulk_create(
        PlanTask(
            plan=plan,
            **_content(task),
            start_day=task.start_day,
            day=task.day,
            part=task.part,
            parts=task.parts,
            position=task.position,
            assignee=people(task.assignee),
            status=task.status,
            closed_at=task.closed_at,
            closed_by=people(task.closed_by),
            skip_reason=task.skip_reason,
            note=task.note,
            evidence_url=task.evidence_url,
        )
        for task in document.tasks
    )
    by_ref = {task.ref: stored for task, stored in zip(document.tasks, tasks, strict=True)}
    BacklogTask.objects.bulk_create(
        BacklogTask(
            plan=plan,
            **_content(item),
            position=item.position,
            reason=item.reason,
            waiting_for=item.waiting_for,
        )
        for item in document.backlog
    )
    targets = KpiTarget.objects.bulk_create(
        KpiTarget(
            plan=plan,
            kpi_id=target.kpi_id,
            area=target.area,
            title=dict(target.title),
            unit=target.unit,
            direction=target.direction,
            baseline=target.baseline,
            target=target.target,
            why=dict(target.why),
            source=target.source,
            minimum=target.minimum,
            maximum=target.maximum,
            band_low=target.band_low,
            band_high=target.band_high,
        )
        for target in document.kpi_targets
    )
    by_kpi = {target.kpi_id: target for target in targets}
    KpiMeasurement.objects.bulk_create(
        KpiMeasurement(
            target=by_kpi[target.kpi_id],
            value=measurement.value,
            measured_at=measurement.measured_at,
            note=measurement.note,
            recorded_by=people(measurement.recorded_by),
            recorded_at=measurement.recorded_at,
        )
        for target in document.kpi_targets
        for measurement in target.measurements
    )
    entries = []
    for entry in document.activity:
        actor = people(entry.actor)
        detail = dict(entry.detail)
        if entry.actor is not None and actor is None:
            detail[ACTOR_NAME] = entry.actor.name
            detail[ACTOR_EMAIL] = entry.actor.email
        entries.append(
            Activity(
                plan=plan,
                task=by_ref[entry.task] if entry.task is not None else None,
                kpi_target=by_kpi[entry.kpi] if entry.kpi is not None else None,
                actor=actor,
                kind=entry.kind,
                detail=detail,
                at=entry.at,
            )
        )
    Activity.objects.bulk_create(entries)
    return len(tasks)


def team_import(*, team: Team, document: schema.TeamExport, now: datetime) -> ImportResult:
    """Store every plan of `document` in `team`, or nothing (ImportRefused says why)."""
    refusal = _(
        "This team already runs a plan, and the file holds a running one too. Finish or "
        "archive the team's plan first, then import the file again."
    )
    result = ImportResult()
    brings_running = any(plan.status in RUNNING for plan in document.plans)
    try:
        with transaction.atomic():
            # Locks the team's running plan, if any: a plan started meanwhile waits for us.
            if (
                brings_running
                and Plan.objects.select_for_update().filter(team=team, status__in=RUNNING).exists()
            ):
                raise ImportRefused(refusal)
            people = _People(team, result)
            for plan in document.plans:
                result.tasks += _plan(team, plan, people, now)
                result.plans += 1
    except IntegrityError:  # a plan was started at the same moment: the constraint refused
        raise ImportRefused(refusal) from None
    return result
