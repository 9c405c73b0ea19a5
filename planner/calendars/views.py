"""The calendar page (create or reset the secret link) and the feeds behind it.

A calendar app cannot sign in: the feeds are reached by the secret in their URL alone,
which the person can reset (the old URL then answers 404).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from planner.accounts.auth import signed_in_user
from planner.calendars import selectors, services
from planner.calendars.feeds import calendar_of
from planner.calendars.models import CalendarLink
from planner.core.http import HtmxHttpRequest
from planner.teams.selectors import memberships_for_user

CALENDAR = "text/calendar; charset=utf-8"


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HtmxHttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    context: dict[str, object] = {
        "has_link": CalendarLink.objects.filter(user=user).exists(),
        "memberships": memberships_for_user(user),
    }
    if request.method == "POST":
        token = services.calendar_link_reset(user=user)
        base = request.build_absolute_uri(reverse("calendar_mine", kwargs={"token": token}))
        context.update(
            has_link=True,
            token=token,
            mine_url=base,
        )
    return render(request, "calendars/settings.html", context)


@require_GET
def calendar_mine(request: HtmxHttpRequest, token: str) -> HttpResponse:
    user = selectors.owner_of(token)
    plans, tasks = selectors.my_plans_and_tasks(user)
    body = calendar_of(_("My Planner tasks"), plans, tasks, user.language, timezone.now())
    return HttpResponse(body, content_type=CALENDAR)


@require_GET
def calendar_team(request: HtmxHttpRequest, token: str, team_slug: str) -> HttpResponse:
    user = selectors.owner_of(token)
    name, plans, tasks = selectors.team_plans_and_tasks(user, team_slug)
    body = calendar_of(name, plans, tasks, user.language, timezone.now())
    return HttpResponse(body, content_type=CALENDAR)


# Not behind team_view: a calendar app cannot sign in. The secret link stands for the
# person, and their membership of the team is checked (selectors.team_plans_and_tasks).
calendar_team.team_access = "calendar link of a member"  # type: ignore[attr-defined]
