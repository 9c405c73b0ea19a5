"""The lead's page for a team's API tokens: create (the secret shown once), see when each
was last used, revoke."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from planner.accounts.auth import signed_in_user
from planner.api import selectors, services
from planner.api.forms import TokenForm
from planner.api.models import Scope
from planner.core.http import HtmxHttpRequest
from planner.teams.access import team_view
from planner.teams.models import Membership, Role


@require_http_methods(["GET", "POST"])
@team_view(Role.LEAD)
def token_list(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    team = membership.team
    now = timezone.now()
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.api_token_create(
                team=team,
                user=signed_in_user(request),
                name=form.cleaned_data["name"],
                scope=Scope(form.cleaned_data["scope"]),
                expires_at=now + timedelta(days=form.cleaned_data["lifetime"]),
                now=now,
            )
        except services.TokenRuleError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            form = TokenForm()
    context = {
        "team": team,
        "form": form,
        "created": created,
        "tokens": selectors.team_tokens(team.pk),
        "now": now,
        "api_base": request.build_absolute_uri("/api/v1/"),
    }
    status = 400 if request.method == "POST" and created is None else 200
    return render(request, "api/tokens.html", context, status=status)


@require_POST
@team_view(Role.LEAD)
def token_revoke(request: HtmxHttpRequest, membership: Membership, token_id: int) -> HttpResponse:
    token = selectors.token_of_team(membership.team_id, token_id)
    if services.api_token_revoke(token=token):
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens", team_slug=membership.team.slug)


def not_found(request: HtmxHttpRequest, rest: str = "") -> HttpResponse:
    """An address under /api/v1/ that names no endpoint: 404 in the API's error shape."""
    return JsonResponse(
        {"status": 404, "code": "not_found", "message": _("Not found."), "errors": []}, status=404
    )
