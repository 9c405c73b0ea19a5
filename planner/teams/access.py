"""The one place that loads a team for the signed-in user and checks their role.

Every team view is wrapped in `team_view`: a non-member gets 404 (whether the team exists
is nobody else's business), a member without the required role gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from planner.accounts.auth import signed_in_user
from planner.core.http import HtmxHttpRequest
from planner.teams.models import Membership, Role
from planner.teams.selectors import membership_for_user

P = ParamSpec("P")
TeamView = Callable[Concatenate[HtmxHttpRequest, Membership, P], HttpResponse]


def team_view(
    role: Role | None = None,
) -> Callable[[TeamView[P]], Callable[Concatenate[HtmxHttpRequest, str, P], HttpResponse]]:
    """Decorate a view taking `(request, membership, ...)`; its URL carries `team_slug`."""

    def decorator(
        view: TeamView[P],
    ) -> Callable[Concatenate[HtmxHttpRequest, str, P], HttpResponse]:
        @wraps(view)
        def wrapper(
            request: HtmxHttpRequest, team_slug: str, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponse:
            membership = membership_for_user(signed_in_user(request), team_slug)
            if role is not None and membership.role != role:
                raise PermissionDenied("This needs the team's lead role.")
            return view(request, membership, *args, **kwargs)

        guarded = login_required(wrapper)
        # Marks the view for the test that walks the URLs (as Django's csrf_exempt marks
        # its views); decorators above it copy the mark with functools.wraps.
        guarded.team_access = role or "member"  # type: ignore[attr-defined]
        return cast(Callable[Concatenate[HtmxHttpRequest, str, P], HttpResponse], guarded)

    return decorator
