"""The one place that loads a team for the signed-in user and checks their role.

Every team view is wrapped in `team_view`: a non-member gets 404 (whether the team exists
is nobody else's business), a member without the required role gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from planner.accounts.models import User
from planner.teams.models import Membership, Role
from planner.teams.selectors import membership_for_user

P = ParamSpec("P")
TeamView = Callable[Concatenate[HttpRequest, Membership, P], HttpResponse]


def team_view(
    role: Role | None = None,
) -> Callable[[TeamView[P]], Callable[Concatenate[HttpRequest, str, P], HttpResponse]]:
    """Decorate a view taking `(request, membership, ...)`; its URL carries `team_slug`."""

    def decorator(
        view: TeamView[P],
    ) -> Callable[Concatenate[HttpRequest, str, P], HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(
            request: HttpRequest, team_slug: str, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponse:
            user = request.user
            assert isinstance(user, User)
            membership = membership_for_user(user, team_slug)
            if role is not None and membership.role != role:
                raise PermissionDenied("This needs the team's lead role.")
            return view(request, membership, *args, **kwargs)

        return wrapper

    return decorator
