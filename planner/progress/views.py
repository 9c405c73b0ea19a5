"""Working through a plan: My tasks, a task's page, the team dashboard, KPIs, all teams.

Every action is a plain form post that redirects back (`next`), so pages work without
JavaScript; with htmx, ticking answers with the task's row and, out of band, the counters
and phase bars it changes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from planner.accounts.auth import signed_in_user
from planner.accounts.models import User
from planner.core.http import HtmxHttpRequest
from planner.plans.models import PlanTask
from planner.plans.selectors import plan_of_team, target_of_plan
from planner.plans.services import PlanRuleError
from planner.playbook.loader import get_playbook
from planner.progress import selectors, services
from planner.progress.forms import MeasurementForm, NoteForm, SkipForm
from planner.teams.access import team_view
from planner.teams.models import Membership, Role
from planner.teams.selectors import memberships_for_user


def _next(request: HtmxHttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    """The home page: what Planner is for visitors; My tasks and teams once signed in."""
    if not isinstance(request.user, User):
        return render(request, "core/landing.html")
    return render(request, "progress/my_tasks.html", _my_context(request.user))


def _my_context(user: User, ticked: int | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "mine": selectors.my_tasks(user, ticked=ticked),
        "memberships": memberships_for_user(user),
        "next": "/",
        **extra,
    }


def _tick_response(
    request: HtmxHttpRequest,
    user: User,
    task: PlanTask,
    *,
    error: str = "",
    done: str = "",
    status: int = 200,
) -> HttpResponse:
    """The row in its new state, plus the counters and the plan's bar, out of band; `done`
    is what the row announces to a screen reader (the button that was pressed is gone)."""
    row = selectors.my_task_row(task)
    context = _my_context(
        user, ticked=task.plan_id, row=row, error=error, done=done, next=_next(request, "/")
    )
    return render(request, "progress/my_tasks.html#tick", context, status=status)


# The buttons that change a task's state; each posts to the task's URL with its `action`.
TASK_ACTIONS = ("done", "reopen", "take", "skip")


@require_http_methods(["GET", "POST"])
@team_view()
def task_detail(
    request: HtmxHttpRequest, membership: Membership, plan_id: int, task_id: int
) -> HttpResponse:
    """A task's page: how-to steps, why, prerequisites, note and evidence, history. Its
    buttons (and those of My tasks) post back to it: see `TASK_ACTIONS`."""
    task = selectors.task_for_member(membership, plan_id, task_id)
    if request.method == "POST":
        return _task_action(request, membership, task, request.POST.get("action", ""))
    return _task_page(request, membership, task)


def _task_action(
    request: HtmxHttpRequest, membership: Membership, task: PlanTask, action: str
) -> HttpResponse:
    """Tick off, reopen, take or skip the task. Without JavaScript, redirect back (`next`)
    with a message; with htmx, answer with the task's My tasks row."""
    if action not in TASK_ACTIONS:
        raise BadRequest("No such action.")
    user = signed_in_user(request)
    reason = ""
    if action == "skip":
        form = SkipForm(request.POST)
        if not form.is_valid():
            message = " ".join(str(e) for e in form.errors.get("reason", []))
            if request.htmx:
                return _tick_response(request, user, task, error=message, status=400)
            return _task_page(request, membership, task, skip_form=form, status=400)
        reason = form.cleaned_data["reason"]
    back = _next(request, task.get_absolute_url())
    try:
        change, done = _change(action, task, user, reason=reason, is_lead=membership.is_lead)
    except PlanRuleError as error:
        if request.htmx:
            return _tick_response(request, user, task, error=str(error), status=409)
        messages.error(request, str(error))
        return redirect(back)
    if request.htmx:
        # The changed task comes back with its plan; its team is the one already loaded.
        change.task.plan.team = task.plan.team
        return _tick_response(request, user, change.task, done=done if change.changed else "")
    if change.changed:
        messages.success(request, done)
    return redirect(back)


def _change(
    action: str, task: PlanTask, user: User, *, reason: str, is_lead: bool
) -> tuple[services.TaskChange, str]:
    """Apply a button's change; what happened, and the message that says so."""
    if action == "done":
        return services.task_complete(task_id=task.pk, user=user), _("Task ticked off.")
    if action == "reopen":
        return services.task_reopen(task_id=task.pk, user=user), _("Task reopened.")
    if action == "take":
        return services.task_take(task_id=task.pk, user=user), _("The task is yours.")
    # "skip", the last of TASK_ACTIONS
    change = services.task_skip(task_id=task.pk, user=user, reason=reason, is_lead=is_lead)
    return change, _("Task skipped.")


def _task_page(
    request: HtmxHttpRequest,
    membership: Membership,
    task: PlanTask,
    *,
    note_form: NoteForm | None = None,
    skip_form: SkipForm | None = None,
    status: int = 200,
) -> HttpResponse:
    plan = task.plan
    user = signed_in_user(request)
    prerequisites = selectors.prerequisites(task)
    context = {
        "team": plan.team,
        "plan": plan,
        "task": task,
        "membership": membership,
        "prerequisites": prerequisites,
        # Ticking it off stays possible (the work may be done some other way): a hint only.
        "waiting_for": [p for p in prerequisites if p.is_open] if task.is_open else [],
        "history": selectors.task_history(task),
        "can_skip": task.is_open and (membership.is_lead or task.assignee_id == user.pk),
        "running": plan.is_active,
        "note_form": note_form
        or NoteForm(
            initial={
                "note": task.note,
                "evidence_url": task.evidence_url,
                "revision": task.notes_revision,
            }
        ),
        "skip_form": skip_form or SkipForm(),
    }
    return render(request, "progress/task_detail.html", context, status=status)


@require_POST
@team_view()
def task_notes(
    request: HtmxHttpRequest, membership: Membership, plan_id: int, task_id: int
) -> HttpResponse:
    task = selectors.task_for_member(membership, plan_id, task_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.task_annotate(
                task_id=task.pk, user=signed_in_user(request), **form.cleaned_data
            )
        except PlanRuleError as error:
            if error.field == "note":
                # Someone saved first: show their text, keep ours in the message.
                task.refresh_from_db()
                fresh = NoteForm(
                    {
                        "note": task.note,
                        "evidence_url": task.evidence_url,
                        "revision": task.notes_revision,
                    }
                )
                fresh.is_valid()
                fresh.add_error(None, str(error))
                fresh.yours = form.cleaned_data["note"]
                return _task_page(request, membership, task, note_form=fresh, status=409)
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Note saved."))
            return redirect(task.get_absolute_url())
    return _task_page(request, membership, task, note_form=form, status=400)


@require_GET
@team_view()
def team_progress(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """The team dashboard. Its body is cached under a key that changes with every change
    to the plan (see `selectors.dashboard_key`), so it is only computed when stale; the KPI
    cards within it under one that only measurements change (`selectors.kpi_key`)."""
    plan = selectors.current_plan(membership.team)
    context: dict[str, Any] = {"team": membership.team, "membership": membership}
    if plan is not None:
        now = timezone.now()  # read once: the cache key and the page are for the same day
        today = plan.team.today(now)
        context["plan"] = plan
        context["board"] = SimpleLazyObject(lambda: selectors.dashboard(plan, now))
        context["board_key"] = selectors.dashboard_key(plan, today)
        # The KPI cards have a key of their own: a tick rebuilds the body around them.
        context["kpis"] = SimpleLazyObject(lambda: selectors.kpi_cards(plan))
        context["kpi_key"] = SimpleLazyObject(lambda: selectors.kpi_key(plan))
        # Reversed only if used. The lead's buttons below the cached body add their paths
        # to it: a reversal for each would cost a cached dashboard about 5%.
        context["plan_url"] = SimpleLazyObject(lambda: plan.get_absolute_url())
    return render(request, "progress/dashboard.html", context)


@require_http_methods(["GET", "POST"])
@team_view()
def kpi_measurements(
    request: HtmxHttpRequest, membership: Membership, plan_id: int, target_id: int
) -> HttpResponse:
    plan = plan_of_team(membership.team_id, plan_id)
    target = target_of_plan(plan, target_id)
    now = timezone.now()
    form = MeasurementForm(
        request.POST or None, initial={"measured_at": timezone.localtime(now).replace(second=0)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.measurement_record(
                target=target, user=signed_in_user(request), now=now, **form.cleaned_data
            )
        except PlanRuleError as error:
            if error.field in form.fields:
                form.add_error(error.field, str(error))
            else:
                messages.error(request, str(error))
        else:
            messages.success(request, _("Measurement recorded."))
            return redirect(request.path)
    cards = {card.target.pk: card for card in selectors.kpi_cards(plan)}
    context = {
        "team": plan.team,
        "plan": plan,
        "membership": membership,
        "card": cards[target.pk],
        "measurements": target.measurements.select_related("recorded_by").order_by(
            "-measured_at", "-pk"
        )[:100],
        "form": form,
        "kpi": _kpi_definition(target.kpi_id),
    }
    return render(
        request,
        "progress/kpi_detail.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


def _kpi_definition(kpi_id: str) -> Any:
    return next((k for k in get_playbook().kpis if k.id == kpi_id), None)


@require_POST
@team_view(Role.LEAD)
def plan_finish(request: HtmxHttpRequest, membership: Membership, plan_id: int) -> HttpResponse:
    plan = plan_of_team(membership.team_id, plan_id)
    try:
        services.plan_finish(plan=plan, user=signed_in_user(request))
    except PlanRuleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The plan is finished. Well done!"))
    return redirect("team_progress", team_slug=membership.team.slug)


_HEADERS = (
    ("name", _lazy("Team")),
    ("phase", _lazy("Phase")),
    ("status", _lazy("Status")),
    ("progress", _lazy("Effort done")),
    ("kpis", _lazy("KPI targets")),
)


@login_required
@require_GET
def teams_overview(request: HtmxHttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "name")
    if sort not in selectors.SORT_COLUMNS:
        sort = "name"
    descending = request.GET.get("dir") == "desc"
    rows = selectors.teams_overview(signed_in_user(request), sort, descending)
    return render(
        request,
        "progress/teams_overview.html",
        {"rows": rows, "sort": sort, "descending": descending, "headers": _HEADERS},
    )
