"""The home page: what Planner is for visitors, the teams of a signed-in user."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from planner.accounts.models import User
from planner.teams.selectors import memberships_for_user


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User):
        return render(request, "core/landing.html")
    return render(request, "core/home.html", {"memberships": memberships_for_user(user)})
