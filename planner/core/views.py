"""The home page: what Planner is for visitors; My tasks and teams for a signed-in user."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from planner.accounts.models import User
from planner.core.http import HtmxHttpRequest
from planner.progress.views import my_tasks


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User):
        return render(request, "core/landing.html")
    return my_tasks(request)
