"""Writes while a plan runs: tick, reopen, skip, take, annotate tasks; record KPI values.

Every write locks the task row, re-reads it, applies one change and records it in the
activity feed in the same transaction. Two people acting on one task at once are thus
serialised: neither change is lost, and the feed says exactly what the row says. A change
that would not change anything (ticking a task already done) records nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from planner.accounts.models import User
from planner.plans.feed import record
from planner.plans.models import ActivityKind, KpiTarget, Plan, PlanStatus, PlanTask, TaskStatus
from planner.plans.services import PlanRuleError
from planner.progress.models import KpiMeasurement

NOTE_LIMIT = 2000
REASON_LIMIT = 500
MEASUREMENT_NOTE_LIMIT = 500
# Clocks drift; a measurement a few minutes "ahead" of the server is still accepted.
FUTURE_SLACK = timedelta(minutes=5)

validate_url = URLValidator(schemes=["http", "https"])


class StaleNote(PlanRuleError):
    """Someone saved the note since the version the change was based on."""


@dataclass(frozen=True)
class TaskChange:
    task: PlanTask
    changed: bool


def require_running(plan: Plan) -> None:
    """Tasks and KPIs change only while the plan is active."""
    if plan.status == PlanStatus.DRAFT:
        raise PlanRuleError(_("This plan has not started yet."))
    if plan.status == PlanStatus.PAUSED:
        raise PlanRuleError(_("This plan is paused. Its lead can resume it."))
    if plan.status != PlanStatus.ACTIVE:
        raise PlanRuleError(
            _("This plan is %(status)s: its tasks and KPIs can no longer change.")
            % {"status": plan.get_status_display().lower()}
        )


def lock_task(task_id: int) -> PlanTask:
    """The task row, locked until the end of the transaction (its plan read, not locked)."""
    return (
        PlanTask.objects.select_for_update(of=("self",))
        .select_related("plan", "assignee")
        .get(pk=task_id)
    )


@transaction.atomic
def task_complete(*, task_id: int, user: User, now: datetime | None = None) -> TaskChange:
    task = lock_task(task_id)
    require_running(task.plan)
    if task.status == TaskStatus.DONE:
        return TaskChange(task, changed=False)
    now = now or timezone.now()
    task.status = TaskStatus.DONE
    task.closed_at, task.closed_by, task.skip_reason = now, user, ""
    task.save(update_fields=["status", "closed_at", "closed_by", "skip_reason"])
    record(task.plan, user, ActivityKind.DONE, task=task, at=now)
    return TaskChange(task, changed=True)


@transaction.atomic
def task_reopen(*, task_id: int, user: User, now: datetime | None = None) -> TaskChange:
    task = lock_task(task_id)
    require_running(task.plan)
    if task.status == TaskStatus.OPEN:
        return TaskChange(task, changed=False)
    task.status = TaskStatus.OPEN
    task.closed_at, task.closed_by, task.skip_reason = None, None, ""
    task.save(update_fields=["status", "closed_at", "closed_by", "skip_reason"])
    record(task.plan, user, ActivityKind.REOPENED, task=task, at=now)
    return TaskChange(task, changed=True)


@transaction.atomic
def task_skip(
    *, task_id: int, user: User, reason: str, is_lead: bool, now: datetime | None = None
) -> TaskChange:
    """Leave a task out, with a reason; only its assignee or a lead may."""
    reason = reason.strip()
    if not reason:
        raise PlanRuleError(_("Say why the task is skipped."), field="reason")
    if len(reason) > REASON_LIMIT:
        raise PlanRuleError(
            _("Keep the reason under %(limit)s characters.") % {"limit": REASON_LIMIT},
            field="reason",
        )
    task = lock_task(task_id)
    require_running(task.plan)
    if not is_lead and task.assignee_id != user.pk:
        raise PlanRuleError(_("Only the task's assignee or a lead can skip it."))
    if task.status == TaskStatus.DONE:
        raise PlanRuleError(_("This task is done. Reopen it before skipping it."))
    if task.status == TaskStatus.SKIPPED and task.skip_reason == reason:
        return TaskChange(task, changed=False)
    now = now or timezone.now()
    task.status = TaskStatus.SKIPPED
    task.closed_at, task.closed_by, task.skip_reason = now, user, reason
    task.save(update_fields=["status", "closed_at", "closed_by", "skip_reason"])
    record(task.plan, user, ActivityKind.SKIPPED, task=task, at=now, detail={"reason": reason})
    return TaskChange(task, changed=True)


@transaction.atomic
def task_take(*, task_id: int, user: User, now: datetime | None = None) -> TaskChange:
    """Assign an unassigned task to oneself; a task someone has is not taken away."""
    task = lock_task(task_id)
    require_running(task.plan)
    if task.assignee_id == user.pk:
        return TaskChange(task, changed=False)
    if task.assignee is not None:
        raise PlanRuleError(
            _("%(name)s has already taken this task.") % {"name": task.assignee.display_name}
        )
    if task.status != TaskStatus.OPEN:
        raise PlanRuleError(_("This task is already closed."))
    task.assignee = user
    task.save(update_fields=["assignee"])
    record(task.plan, user, ActivityKind.TAKEN, task=task, at=now)
    return TaskChange(task, changed=True)


@transaction.atomic
def task_annotate(
    *,
    task_id: int,
    user: User,
    note: str,
    evidence_url: str,
    revision: int,
    now: datetime | None = None,
) -> TaskChange:
    """Save a task's note and evidence link, based on the text at `revision`.

    If someone saved in between, nothing is stored and the caller shows their version.
    """
    note, evidence_url = note.strip(), evidence_url.strip()
    if len(note) > NOTE_LIMIT:
        raise PlanRuleError(
            _("Keep the note under %(limit)s characters.") % {"limit": NOTE_LIMIT}, field="note"
        )
    if evidence_url:
        try:
            validate_url(evidence_url)
        except ValidationError:
            raise PlanRuleError(
                _("Enter a full web address starting with https:// or http://."),
                field="evidence_url",
            ) from None
    task = lock_task(task_id)
    require_running(task.plan)
    if task.note == note and task.evidence_url == evidence_url:
        return TaskChange(task, changed=False)
    if task.notes_revision != revision:
        raise StaleNote(
            _("Someone else saved this note meanwhile. Their version is shown; add yours again."),
            field="note",
        )
    evidence_changed = task.evidence_url != evidence_url
    task.note, task.evidence_url = note, evidence_url
    task.notes_revision += 1
    task.save(update_fields=["note", "evidence_url", "notes_revision"])
    record(
        task.plan,
        user,
        ActivityKind.NOTED,
        task=task,
        at=now,
        detail={"evidence": evidence_changed},
    )
    return TaskChange(task, changed=True)


@dataclass(frozen=True)
class NewMeasurement:
    """One value to record (see `measurements_record`)."""

    target: KpiTarget
    value: float
    measured_at: datetime
    note: str = ""
    client_key: str = ""


@dataclass(frozen=True)
class Recorded:
    measurement: KpiMeasurement
    created: bool  # False: the client key was recorded before, nothing new was stored


class MeasurementRefused(PlanRuleError):
    """A value of a batch was refused; `index` says which (nothing of the batch is stored)."""

    def __init__(self, message: str, field: str | None, index: int) -> None:
        super().__init__(message, field)
        self.index = index


def _check_measurement(plan: Plan, item: NewMeasurement, now: datetime) -> str:
    """The note to store, once the value passes the KPI's rules; else PlanRuleError."""
    target, value = item.target, item.value
    if not math.isfinite(value):
        raise PlanRuleError(_("Enter a number."), field="value")
    low = target.minimum if target.minimum is not None else 0.0
    high = target.maximum
    if target.unit == "percent":
        high = 100.0 if high is None else min(high, 100.0)
    if value < low or (high is not None and value > high):
        raise PlanRuleError(
            _("Enter a value between %(low)s and %(high)s.")
            % {"low": f"{low:g}", "high": f"{high:g}" if high is not None else "∞"},
            field="value",
        )
    if item.measured_at > now + FUTURE_SLACK:
        raise PlanRuleError(_("A measurement cannot be in the future."), field="measured_at")
    if item.measured_at < plan.created_at - timedelta(days=1):
        raise PlanRuleError(_("A measurement cannot be older than the plan."), field="measured_at")
    note = item.note.strip()
    if len(note) > MEASUREMENT_NOTE_LIMIT:
        raise PlanRuleError(
            _("Keep the note under %(limit)s characters.") % {"limit": MEASUREMENT_NOTE_LIMIT},
            field="note",
        )
    return note


def _same(stored: KpiMeasurement, item: NewMeasurement, note: str) -> bool:
    return (
        stored.value == item.value
        and stored.measured_at == item.measured_at
        and stored.note == note
    )


@transaction.atomic
def measurements_record(
    *, plan_id: int, user: User, items: list[NewMeasurement], now: datetime | None = None
) -> list[Recorded]:
    """Store KPI values, all or none: each must be finite, in its KPI's range and not in the
    future. A value with a client key already recorded for its KPI is not stored again (the
    earlier one is returned); the same key with a different value is refused."""
    now = now or timezone.now()
    plan = Plan.objects.select_for_update().get(pk=plan_id)  # serialises recorders
    require_running(plan)
    keyed = {(item.target.pk, item.client_key) for item in items if item.client_key}
    earlier = {
        (m.target_id, m.client_key): m
        for m in KpiMeasurement.objects.filter(
            target__plan=plan, client_key__in={key for _, key in keyed}
        ).select_related("recorded_by")
        if (m.target_id, m.client_key) in keyed
    }
    results: list[Recorded] = []
    for index, item in enumerate(items):
        if item.target.plan_id != plan.pk:
            raise MeasurementRefused(_("This KPI is not in the plan."), "kpi", index)
        try:
            note = _check_measurement(plan, item, now)
        except PlanRuleError as error:
            raise MeasurementRefused(str(error), error.field, index) from None
        key = (item.target.pk, item.client_key)
        stored = earlier.get(key) if item.client_key else None
        if stored is not None:
            if not _same(stored, item, note):
                raise MeasurementRefused(
                    _("This client key was used for a different value or time."),
                    "client_key",
                    index,
                )
            results.append(Recorded(stored, created=False))
            continue
        measurement = KpiMeasurement.objects.create(
            target=item.target,
            value=item.value,
            measured_at=item.measured_at,
            note=note,
            recorded_by=user,
            recorded_at=now,
            client_key=item.client_key,
        )
        if item.client_key:
            earlier[key] = measurement
        record(
            plan,
            user,
            ActivityKind.MEASURED,
            kpi_target=item.target,
            at=now,
            detail={"value": item.value},
        )
        results.append(Recorded(measurement, created=True))
    return results


def measurement_record(
    *,
    target: KpiTarget,
    user: User,
    value: float,
    measured_at: datetime,
    note: str = "",
    now: datetime | None = None,
) -> KpiMeasurement:
    """Store one KPI value (see `measurements_record`)."""
    item = NewMeasurement(target=target, value=value, measured_at=measured_at, note=note)
    try:
        [result] = measurements_record(plan_id=target.plan_id, user=user, items=[item], now=now)
    except MeasurementRefused as error:
        raise PlanRuleError(str(error), error.field) from None
    return result.measurement


@transaction.atomic
def plan_finish(*, plan: Plan, user: User, now: datetime | None = None) -> Plan:
    """Close a running plan: its tasks and KPIs freeze, and the team may start another."""
    updated = Plan.objects.filter(
        pk=plan.pk, status__in=[PlanStatus.ACTIVE, PlanStatus.PAUSED]
    ).update(status=PlanStatus.FINISHED, next_reminder_at=None)
    if not updated:
        raise PlanRuleError(_("Only a running plan can be finished."))
    plan.status = PlanStatus.FINISHED
    record(plan, user, ActivityKind.FINISHED, at=now)
    return plan
