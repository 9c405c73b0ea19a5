"""The plan page: review and edit a draft (leads), read a started or earlier plan (members)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from planner.accounts.auth import signed_in_user
from planner.accounts.models import User
from planner.assessment.selectors import draft_assessment, latest_completed, result_context
from planner.assessment.services import AssessmentIncomplete
from planner.core.http import HtmxHttpRequest
from planner.plans import backlog, selectors, services
from planner.plans.backlog import Pulled
from planner.plans.days import plan_day
from planner.plans.forms import (
    KpiBandForm,
    KpiTargetForm,
    StartForm,
    TaskAddForm,
    TaskEditForm,
)
from planner.plans.models import BacklogTask, KpiTarget, Plan, PlanStatus, PlanTask
from planner.playbook.loader import get_playbook
from planner.teams.access import team_view
from planner.teams.models import Membership, Role

T = TypeVar("T")


def _can_edit_tasks(plan: Plan, membership: Membership) -> bool:
    """Leads shape a draft, and still move, rename and reassign tasks while it runs."""
    return membership.is_lead and plan.status in (PlanStatus.DRAFT, PlanStatus.ACTIVE)


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A task on the plan page, with its edit form where the lead may edit it."""

    task: PlanTask
    form: TaskEditForm | None


@dataclass(frozen=True, slots=True)
class PhaseSection:
    """A phase of the plan page and its task rows."""

    phase: selectors.PhaseGroup
    rows: list[TaskRow]


@dataclass(frozen=True, slots=True)
class TargetRow:
    """A KPI target on the plan page, with its form while the draft is edited."""

    target: KpiTarget
    form: forms.Form | None


def _task_form(task: PlanTask, members: list[User]) -> TaskEditForm:
    return TaskEditForm(
        members=members,
        initial={"title": task.own_title, "day": task.day, "assignee": task.assignee_id},
        prefix=f"task-{task.pk}",
    )


def _context(plan: Plan, membership: Membership, **extra: Any) -> dict[str, Any]:
    today = plan.team.today(timezone.now())
    tasks = list(selectors.plan_tasks(plan))
    members = selectors.team_members_for_plan(plan)
    editable = plan.is_draft and membership.is_lead
    can_edit_tasks = _can_edit_tasks(plan, membership)
    capacity = selectors.plan_capacity(plan, tasks)
    weekly = sum(row.seat.weekly_hours for row in capacity.rows)
    waiting = selectors.plan_backlog(plan, tasks)
    day = plan_day(plan.start_date, today) if plan.start_date else None
    task_forms: dict[int, TaskEditForm] = extra.pop("task_forms", {})
    phases = [
        PhaseSection(
            group,
            [
                TaskRow(
                    task,
                    (task_forms.get(task.pk) or _task_form(task, members))
                    if can_edit_tasks
                    else None,
                )
                for task in group.tasks
            ],
        )
        for group in selectors.plan_phases(plan, tasks, weekly, day)
    ]
    target_forms: dict[int, forms.Form] = extra.pop("target_forms", {})
    targets = [
        TargetRow(
            target, (target_forms.get(target.pk) or _target_form(target)) if editable else None
        )
        for target in plan.kpi_targets.all()
    ]
    return {
        "team": plan.team,
        "membership": membership,
        "plan": plan,
        "phases": phases,
        "targets": targets,
        "editable": editable,
        "can_edit_tasks": can_edit_tasks,
        "total_effort": sum(t.effort_hours for t in tasks),
        "task_count": len(tasks),
        "capacity": capacity,
        "weekly_hours": weekly,
        "backlog": waiting,
        "backlog_hours": sum(float(row.item.effort_hours) for row in waiting),
        "core_waiting": [row for row in waiting if row.core],
        "can_pull": membership.is_lead and plan.status in (PlanStatus.DRAFT, PlanStatus.ACTIVE),
        "add_form": extra.pop("add_form", None) or TaskAddForm(members=members, prefix="add"),
        "start_form": extra.pop("start_form", None) or StartForm(today=today),
        **extra,
    }


@require_GET
@team_view()
def plan_detail(request: HtmxHttpRequest, membership: Membership, plan_id: int) -> HttpResponse:
    plan = selectors.plan_of_team(membership.team_id, plan_id)
    return render(request, "plans/plan_detail.html", _context(plan, membership))


def _task_row(
    request: HtmxHttpRequest,
    membership: Membership,
    plan: Plan,
    task: PlanTask,
    form: TaskEditForm,
    *,
    saved: bool,
    status: int = 200,
    warning: str | None = None,
) -> HttpResponse:
    """The one task row an htmx edit swaps in; the rest of the page is not rebuilt."""
    context = {
        "team": plan.team,
        "plan": plan,
        "row": TaskRow(task, form),
        "editable": plan.is_draft and membership.is_lead,
        "can_edit_tasks": _can_edit_tasks(plan, membership),
        "saved": task.pk if saved else None,
        "warning": warning,
    }
    return render(request, "plans/plan_detail.html#task", context, status=status)


@require_POST
@team_view(Role.LEAD)
def plan_task_edit(
    request: HtmxHttpRequest, membership: Membership, plan_id: int, task_id: int
) -> HttpResponse:
    """Save a task's title, day and assignee: its row again (htmx), or back to the page."""
    plan = selectors.plan_of_team(membership.team_id, plan_id)
    task = selectors.task_of_plan(plan, task_id)
    members = selectors.team_members_for_plan(plan)
    form = TaskEditForm(request.POST, members=members, prefix=f"task-{task.pk}")
    if form.is_valid():
        try:
            services.plan_task_update(task=task, user=signed_in_user(request), **form.cleaned_data)
        except services.PlanRuleError as error:
            # A rule about the plan, not a field, shows among the row's errors (htmx) or
            # as a message on top of the page.
            form.add_error(error.field, str(error))
            if error.field is None and not request.htmx:
                messages.error(request, str(error))
        else:
            warning = selectors.capacity_warning(plan, task)
            if request.htmx:
                fresh = _task_form(task, members)
                return _task_row(
                    request, membership, plan, task, fresh, saved=True, warning=warning
                )
            messages.success(request, _("Task saved."))
            if warning:
                messages.warning(request, warning)
            return redirect(plan.get_absolute_url())
    if request.htmx:
        return _task_row(request, membership, plan, task, form, saved=False, status=400)
    context = _context(plan, membership, task_forms={task.pk: form})
    return render(request, "plans/plan_detail.html", context, status=400)


def _act(
    request: HtmxHttpRequest,
    action: Callable[[], T],
    back: str,
    done: str | Callable[[T], HttpResponse | None],
) -> HttpResponse:
    """Run the service behind a button, then go `back`. A rule it refuses with shows there
    as an error; success as `done`: a message, or a function that says what happened (and
    may answer otherwise, e.g. with an htmx swap or another place to go)."""
    try:
        result = action()
    except services.PlanRuleError as error:
        messages.error(request, str(error))
        return redirect(back)
    if isinstance(done, str):
        messages.success(request, done)
        return redirect(back)
    answer = done(result)
    return redirect(back) if answer is None else answer


def _progress_url(plan: Plan) -> str:
    return reverse("team_progress", kwargs={"team_slug": plan.team.slug})


@require_POST
@team_view(Role.LEAD)
def plan_task_push(
    request: HtmxHttpRequest, membership: Membership, plan_id: int, task_id: int
) -> HttpResponse:
    plan = selectors.plan_of_team(membership.team_id, plan_id)
    task = selectors.task_of_plan(plan, task_id)

    def moved(tasks: list[BacklogTask]) -> None:
        if len(tasks) == 1:
            messages.success(request, _("Moved to the backlog."))
        else:
            messages.success(
                request,
                _("Moved to the backlog, with the tasks that need it: %(titles)s.")
                % {"titles": ", ".join(f"“{m.title_text}”" for m in tasks[1:])},
            )

    return _act(
        request,
        lambda: backlog.backlog_push(task=task),
        f"{plan.get_absolute_url()}#backlog",
        moved,
    )


@require_POST
@team_view(Role.LEAD)
def backlog_pull(
    request: HtmxHttpRequest, membership: Membership, plan_id: int, item_id: int
) -> HttpResponse:
    plan = selectors.plan_of_team(membership.team_id, plan_id)
    item = selectors.backlog_item_of_plan(plan, item_id)

    def placed(pulled: Pulled) -> HttpResponse:
        task = pulled.task
        where = {
            "title": task.title_text,
            "phase": task.phase,
            "first": task.start_day,
            "last": task.day,
            "names": ", ".join(pulled.over),
        }
        if pulled.over:
            messages.warning(
                request,
                _(
                    "“%(title)s” is in phase %(phase)s, days %(first)s–%(last)s, but nobody "
                    "had the hours: it puts %(names)s over their hours. Move or reassign "
                    "tasks below."
                )
                % where,
            )
        else:
            messages.success(
                request,
                _("“%(title)s” is in the plan: phase %(phase)s, days %(first)s–%(last)s.") % where,
            )
        return redirect(f"{plan.get_absolute_url()}#task-{task.pk}")

    return _act(
        request,
        lambda: backlog.backlog_pull(item=item, user=signed_in_user(request)),
        f"{plan.get_absolute_url()}#backlog",
        placed,
    )


@require_POST
@team_view(Role.LEAD)
def plan_task_remove(
    request: HtmxHttpRequest, membership: Membership, plan_id: int, task_id: int
) -> HttpResponse:
    plan = selectors.plan_of_team(membership.team_id, plan_id)
    task = selectors.task_of_plan(plan, task_id)

    def removed(_nothing: None) -> HttpResponse | None:
        if request.htmx:
            return HttpResponse("")
        messages.success(request, _("Task removed."))
        return None

    return _act(
        request, lambda: services.plan_task_remove(task=task), plan.get_absolute_url(), removed
    )


def _submit(
    request: HtmxHttpRequest,
    membership: Membership,
    plan: Plan,
    form: forms.Form,
    action: Callable[[dict[str, Any]], object],
    done: str,
    **page: Any,
) -> HttpResponse:
    """Run a service with a valid form: redirect with `done`, or show the page with errors.

    A rule about a field is shown at that field; a rule about the plan as a message on top.
    """
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except services.PlanRuleError as error:
            if error.field is None or error.field not in form.fields:
                messages.error(request, str(error))
            else:
                form.add_error(error.field, str(error))
        else:
            messages.success(request, done)
            return redirect(plan.get_absolute_url())
    return render(request, "plans/plan_detail.html", _context(plan, membership, **page), status=400)


@require_POST
@team_view(Role.LEAD)
def plan_task_add(request: HtmxHttpRequest, membership: Membership, plan_id: int) -> HttpResponse:
    plan = selectors.plan_of_team(membership.team_id, plan_id)
    form = TaskAddForm(request.POST, members=selectors.team_members_for_plan(plan), prefix="add")
    return _submit(
        request,
        membership,
        plan,
        form,
        lambda data: services.plan_task_add(plan=plan, user=signed_in_user(request), **data),
        _("Task added."),
        add_form=form,
    )


@require_POST
@team_view(Role.LEAD)
def kpi_target_edit(
    request: HtmxHttpRequest, membership: Membership, plan_id: int, target_id: int
) -> HttpResponse:
    plan = selectors.plan_of_team(membership.team_id, plan_id)
    target = selectors.target_of_plan(plan, target_id)
    form = _target_form(target, request.POST)

    def save(data: dict[str, Any]) -> object:
        if isinstance(form, KpiBandForm):
            return services.kpi_band_update(target=target, low=data["low"], high=data["high"])
        return services.kpi_target_update(target=target, value=data["target"])

    done = _("Healthy band saved.") if isinstance(form, KpiBandForm) else _("KPI target saved.")
    return _submit(request, membership, plan, form, save, done, target_forms={target.pk: form})


def _target_form(target: KpiTarget, data: Any = None) -> forms.Form:
    """A band KPI edits its band, any other its one target value."""
    prefix = f"kpi-{target.pk}"
    if target.band is not None:
        low, high = target.band
        return KpiBandForm(data, initial={"low": f"{low:g}", "high": f"{high:g}"}, prefix=prefix)
    return KpiTargetForm(data, initial={"target": f"{target.target:g}"}, prefix=prefix)


@require_POST
@team_view(Role.LEAD)
def plan_start(request: HtmxHttpRequest, membership: Membership, plan_id: int) -> HttpResponse:
    plan = selectors.plan_of_team(membership.team_id, plan_id)
    now = timezone.now()
    form = StartForm(request.POST, today=plan.team.today(now))
    return _submit(
        request,
        membership,
        plan,
        form,
        lambda data: services.plan_start(
            plan=plan,
            start_date=data["start_date"],
            now=now,
            user=signed_in_user(request),
        ),
        _("The plan has started. Good luck!"),
        start_form=form,
    )


@require_POST
@team_view(Role.LEAD)
def plan_archive(request: HtmxHttpRequest, membership: Membership, plan_id: int) -> HttpResponse:
    plan = selectors.plan_of_team(membership.team_id, plan_id)
    return _act(
        request,
        lambda: services.plan_archive(plan=plan),
        plan.get_absolute_url(),
        _("The plan was archived. It stays readable here."),
    )


@require_POST
@team_view(Role.LEAD)
def plan_pause(request: HtmxHttpRequest, membership: Membership, plan_id: int) -> HttpResponse:
    plan = selectors.plan_of_team(membership.team_id, plan_id)
    return _act(
        request,
        lambda: services.plan_pause(plan=plan, user=signed_in_user(request)),
        _progress_url(plan),
        _("The plan is paused: no ticks and no reminders until you resume it."),
    )


@require_POST
@team_view(Role.LEAD)
def plan_resume(request: HtmxHttpRequest, membership: Membership, plan_id: int) -> HttpResponse:
    plan = selectors.plan_of_team(membership.team_id, plan_id)
    return _act(
        request,
        lambda: services.plan_resume(plan=plan, user=signed_in_user(request)),
        _progress_url(plan),
        _("The plan runs again."),
    )


@require_POST
@team_view(Role.LEAD)
def plan_move_start(request: HtmxHttpRequest, membership: Membership, plan_id: int) -> HttpResponse:
    plan = selectors.plan_of_team(membership.team_id, plan_id)
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid date."))
        return redirect(_progress_url(plan))
    return _act(
        request,
        lambda: services.plan_move_start(
            plan=plan, start_date=form.cleaned_data["start_date"], user=signed_in_user(request)
        ),
        _progress_url(plan),
        _("Day 1 moved; the reminders follow."),
    )


@require_POST
@team_view(Role.LEAD)
def plan_create(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """A plan draft from the team's assessment: the result page's "Generate plan"."""
    playbook = get_playbook()
    team = membership.team
    assessment = draft_assessment(team) or latest_completed(team)
    if assessment is None:
        return redirect("assessment_intro", team_slug=team.slug)
    length = 14 if request.POST.get("length") == "14" else 30
    try:
        plan = services.plan_generate(
            assessment=assessment,
            playbook=playbook,
            user=signed_in_user(request),
            length=length,
            start=team.today(timezone.now()),
        )
    except AssessmentIncomplete:
        context = result_context(team, assessment, membership)
        return render(request, "assessment/result.html", context, status=400)
    return redirect("plan_detail", team_slug=team.slug, plan_id=plan.pk)
