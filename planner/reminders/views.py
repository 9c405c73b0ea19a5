"""Reminder pages: a plan's schedule for its lead, a test send, unsubscribe, preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from planner.accounts.auth import signed_in_user
from planner.core.http import HtmxHttpRequest
from planner.plans.selectors import plan_of_team
from planner.reminders import selectors, services
from planner.reminders.emails import read_unsubscribe_token
from planner.reminders.schedule import boundaries
from planner.reminders.tasks import QueueUnavailable, publish, retry_failed, send_test
from planner.teams.access import team_view
from planner.teams.models import Membership, Role

QUEUE_DOWN = _lazy("The task queue is not answering, so nothing was sent. Try again in a minute.")
QUEUE_DOWN_RETRY = _lazy(
    "The failed reminders are marked to go again. The task queue is not answering right "
    "now; they go out on their own once it does."
)


@require_GET
@team_view(Role.LEAD)
def reminder_schedule(
    request: HtmxHttpRequest, membership: Membership, plan_id: int
) -> HttpResponse:
    plan = plan_of_team(membership.team_id, plan_id)
    rows = selectors.plan_reminders(plan)
    context = {
        "team": plan.team,
        "plan": plan,
        "membership": membership,
        "rows": rows,
        "test_key": selectors.next_boundary(rows).key if rows else "",
        "running": plan.is_active,
        "has_failed": any(row.state == "failed" for row in rows),
    }
    return render(request, "reminders/schedule.html", context)


@require_POST
@team_view(Role.LEAD)
def reminder_test(request: HtmxHttpRequest, membership: Membership, plan_id: int) -> HttpResponse:
    plan = plan_of_team(membership.team_id, plan_id)
    user = signed_in_user(request)
    key = request.POST.get("key", "")
    if plan.start_date is None or key not in {b.key for b in boundaries(plan.phases, plan.length)}:
        messages.error(request, _("Choose a boundary of this plan."))
    else:
        try:
            publish(send_test, plan.pk, user.pk, key)
        except QueueUnavailable:
            messages.error(request, QUEUE_DOWN)
        else:
            messages.success(
                request,
                _("A test reminder is on its way to %(email)s.") % {"email": user.email},
            )
    return redirect("reminder_schedule", team_slug=plan.team.slug, plan_id=plan.pk)


@require_POST
@team_view(Role.LEAD)
def reminder_retry(request: HtmxHttpRequest, membership: Membership, plan_id: int) -> HttpResponse:
    plan = plan_of_team(membership.team_id, plan_id)
    try:
        count = retry_failed(plan)
    except QueueUnavailable:
        # The deliveries are marked to go again; the sweeper queues them once it can.
        messages.error(request, QUEUE_DOWN_RETRY)
    else:
        messages.success(
            request, _("%(count)s failed reminders will be sent again.") % {"count": count}
        )
    return redirect("reminder_schedule", team_slug=plan.team.slug, plan_id=plan.pk)


@csrf_exempt  # mail clients post RFC 8058 one-click unsubscribes without a CSRF token;
# the signed, expiring token is what authorises the request
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HtmxHttpRequest, token: str) -> HttpResponse:
    try:
        user_id, team_id = read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "reminders/unsubscribe_invalid.html", status=400)
    membership = (
        Membership.objects.select_related("user", "team")
        .filter(user_id=user_id, team_id=team_id)
        .first()
    )
    if membership is None:  # no such person or team, or not a member (any more)
        return render(request, "reminders/unsubscribe_invalid.html", status=400)
    user, team = membership.user, membership.team
    if request.method == "POST":
        services.opt_out(user, team)
        return render(request, "reminders/unsubscribed.html", {"team": team, "done": True})
    return render(request, "reminders/unsubscribed.html", {"team": team, "done": False})


@login_required
@require_http_methods(["GET", "POST"])
def reminder_preferences(request: HtmxHttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "POST":
        wanted = set(request.POST.getlist("team"))
        for preference in selectors.preferences(user.pk):
            team = preference.membership.team
            if str(team.pk) in wanted:
                services.opt_in(user, team)
            else:
                services.opt_out(user, team)
        messages.success(request, _("Your reminder settings are saved."))
        return redirect("reminder_preferences")
    return render(
        request, "reminders/preferences.html", {"preferences": selectors.preferences(user.pk)}
    )
