"""Writes for a plan's backlog: a lead pulls a task into the plan, or moves one out.

The rules are the generator's: a task stays in its phase's days and starts after its
prerequisites end, so a task waits for its prerequisites to be pulled in first, and moving
a task out moves out what depends on it. Pulling in finds the earliest days someone has
hours for; where nobody has, the task goes to the least busy person anyway and the lead is
told whose weeks are now over their hours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from planner.accounts.models import User
from planner.plans import selectors
from planner.plans.feed import record
from planner.plans.generator import target_for
from planner.plans.models import (
    ActivityKind,
    BacklogReason,
    BacklogTask,
    Plan,
    PlanStatus,
    PlanTask,
    TaskContent,
)
from planner.plans.scheduling import Span, fit_one
from planner.plans.services import PlanRuleError
from planner.playbook.loader import get_playbook


@dataclass
class Pulled:
    task: PlanTask
    over: list[str]  # the people whose weeks it puts over their hours


def _locked(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().select_related("team").get(pk=plan.pk)


@transaction.atomic
def backlog_pull(*, item: BacklogTask, user: User | None, now: datetime | None = None) -> Pulled:
    """Move a backlog task into a draft or running plan, on the earliest days of its
    phase someone has hours for (in a running plan, from today on)."""
    plan = _locked(item.plan)
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.ACTIVE):
        raise PlanRuleError(_("Only a draft or a running plan takes tasks from the backlog."))
    waiting = plan.backlog.filter(catalogue_id__in=item.prerequisites).exclude(pk=item.pk).first()
    if waiting is not None:
        raise PlanRuleError(
            _("Pull in “%(title)s” first: this task needs it.") % {"title": waiting.title_text}
        )
    tasks = list(plan.tasks.all())
    first, last = plan.phase_days(item.phase)
    lo = first
    if plan.status == PlanStatus.ACTIVE and plan.start_date is not None:
        today = (plan.team.today(now or timezone.now()) - plan.start_date).days + 1
        lo = max(lo, today)
        if lo > last:
            raise PlanRuleError(
                _("Phase %(phase)s is over. Add the work as your own task in a later phase.")
                % {"phase": item.phase}
            )
    ends = [t.day for t in tasks if t.catalogue_id and t.catalogue_id in item.prerequisites]
    lo = max([lo, *(end + 1 for end in ends)])
    if lo > last:
        raise PlanRuleError(
            _("Its prerequisites end on the last day of phase %(phase)s: move them earlier first.")
            % {"phase": item.phase}
        )
    table = selectors.plan_capacity(plan, tasks)
    effort = float(item.effort_hours)
    spans = [
        [
            Span(row.member, t.start_day, t.day, float(t.effort_hours))
            for t in tasks
            if t.assignee_id == row.member
        ]
        for row in table.rows
    ]
    seats = [row.seat for row in table.rows]
    phases = [(int(first), int(end)) for first, end in plan.phases]
    found = fit_one(effort, lo, last, seats, spans, phases)
    if found is not None:
        index, start, end = found
    elif seats:
        # Nobody has the hours: the least busy person takes it, on as few days as a
        # focused day allows, and the lead is told.
        index = min(
            range(len(seats)),
            key=lambda i: (sum(s.effort for s in spans[i]) / max(seats[i].weekly_hours, 0.1), i),
        )
        start = lo
        end = min(last, lo + max(1, math.ceil(effort / max(seats[index].day_limit, 0.1))) - 1)
    else:
        index, start, end = -1, lo, lo
    member = table.rows[index].member if index >= 0 else None
    before = _work(plan)
    task = PlanTask.objects.create(
        plan=plan,
        start_day=start,
        day=end,
        position=10_000 + item.position,
        assignee_id=member,
        **{name: getattr(item, name) for name in TaskContent.CONTENT},
    )
    item.delete()
    if plan.status == PlanStatus.ACTIVE:
        record(plan, user, ActivityKind.ADDED, task=task, at=now)
    else:
        _retarget(plan, before)
    after = selectors.plan_capacity(plan, [*tasks, task])
    over = [row.name for row in after.over if row.member == member] if found is None else []
    return Pulled(task, over)


@transaction.atomic
def backlog_push(*, task: PlanTask) -> list[BacklogTask]:
    """Move a draft's task to the backlog, with the tasks that depend on it."""
    plan = _locked(task.plan)
    if not plan.is_draft:
        raise PlanRuleError(
            _("A running plan keeps its tasks: skip one with a reason instead of moving it out.")
        )
    tasks = {t.pk: t for t in plan.tasks.all()}
    # A shared task moves out whole, all its parts.
    moving = [
        t
        for t in tasks.values()
        if t.pk == task.pk or (task.catalogue_id and t.catalogue_id == task.catalogue_id)
    ]
    out = {task.catalogue_id} if task.catalogue_id else set()
    changed = bool(out)
    while changed:  # and whatever waits for what moves out
        changed = False
        for other in tasks.values():
            if other not in moving and out & set(other.prerequisites):
                moving.append(other)
                if other.catalogue_id:
                    out.add(other.catalogue_id)
                changed = True
    last = plan.backlog.order_by("-position").values_list("position", flat=True).first() or 0
    items: dict[str, BacklogTask] = {}  # by catalogue id, or a custom task's own key
    for moved in sorted(moving, key=lambda t: (t.day, t.part, t.pk)):
        key = moved.catalogue_id or f"custom-{moved.pk}"
        if key in items:  # another part of a shared task: its hours join the first
            items[key].effort_hours += moved.effort_hours
            continue
        waiting = next((p for p in moved.prerequisites if p in out), "")
        items[key] = BacklogTask(
            plan=plan,
            position=last + len(items) + 1,
            reason=BacklogReason.PREREQUISITE if waiting else BacklogReason.PUSHED_OUT,
            waiting_for=waiting,
            **{name: getattr(moved, name) for name in TaskContent.CONTENT},
        )
    before = _work(plan)
    created = BacklogTask.objects.bulk_create(items.values())
    PlanTask.objects.filter(pk__in=[m.pk for m in moving]).delete()
    _retarget(plan, before)
    return created


def _work(plan: Plan) -> tuple[set[str], set[str]]:
    """The catalogue tasks a plan holds, and those its backlog holds."""
    planned = set(plan.tasks.exclude(catalogue_id="").values_list("catalogue_id", flat=True))
    waiting = set(plan.backlog.exclude(catalogue_id="").values_list("catalogue_id", flat=True))
    return planned, waiting


def _retarget(plan: Plan, before: tuple[set[str], set[str]]) -> None:
    """A draft's KPI targets follow the work moved in or out, as the generator sets them;
    a target the lead changed stays theirs."""
    playbook = get_playbook()
    if plan.playbook_version != playbook.version:
        return  # drafted from another playbook: its effects may differ
    kpis = {kpi.id: kpi for kpi in playbook.kpis}
    after = _work(plan)
    for target in plan.kpi_targets.all():
        kpi = kpis.get(target.kpi_id)
        if kpi is None:
            continue
        was, _why, _source = target_for(playbook, kpi, target.baseline, *before)
        if abs(target.target - was) > 1e-9:
            continue
        value, why, source = target_for(playbook, kpi, target.baseline, *after)
        target.target, target.why, target.source = value, why.model_dump(), source
        target.save(update_fields=["target", "why", "source"])
