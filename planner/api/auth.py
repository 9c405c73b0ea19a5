"""Who calls the API: a team token (`Authorization: Bearer plnr_…`) or a signed-in session
(with Django's CSRF check on writes). Both end as a `Caller`, which every endpoint asks for
the team and the right to write."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer, SessionAuth

from planner.accounts.models import User
from planner.api import selectors, services
from planner.api.models import ApiToken
from planner.plans.feed import acting_via
from planner.teams.models import Membership, Role
from planner.teams.selectors import membership_for_user


@dataclass(frozen=True)
class Caller:
    user: User
    token: ApiToken | None = None
    # A token's lead membership of its team, read when the token was checked.
    token_membership: Membership | None = None

    def __str__(self) -> str:
        # The rate limit counts per token, and per person for sessions.
        return f"token:{self.token.pk}" if self.token else f"user:{self.user.pk}"

    @property
    def can_write(self) -> bool:
        return self.token is None or self.token.can_write

    def acting(self) -> AbstractContextManager[None]:
        """Changes made through a token show its name in the feed ("through CI")."""
        return acting_via(self.token.name) if self.token else nullcontext()

    def membership(self, team_slug: str) -> Membership:
        """The caller's membership of the team; 404 for any other team, as on the pages."""
        if self.token is not None:
            if self.token.team.slug != team_slug or self.token_membership is None:
                raise Http404
            return self.token_membership
        return membership_for_user(self.user, team_slug)

    def writable(self, team_slug: str, *, lead: bool = False) -> Membership:
        """The membership, for a change: a read token gets 403, an engineer on a lead's
        change gets 403."""
        membership = self.membership(team_slug)
        if not self.can_write:
            raise HttpError(403, _("This token may only read. Create a write token to change."))
        if lead and membership.role != Role.LEAD:
            raise HttpError(403, _("This needs the team's lead role."))
        return membership


def caller(request: HttpRequest) -> Caller:
    auth: Any = request.auth  # type: ignore[attr-defined]
    assert isinstance(auth, Caller)  # noqa: S101 - every endpoint is behind the auth below
    return auth


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        found = selectors.token_for_secret(token) if token else None
        now = timezone.now()
        if found is None:
            raise AuthenticationError(401, _("This token is not known. Check it or create one."))
        if found.revoked_at is not None:
            raise AuthenticationError(401, _("This token was revoked."))
        if now >= found.expires_at:
            raise AuthenticationError(
                401,
                _("This token expired on %(date)s.")
                % {"date": date_format(timezone.localtime(found.expires_at), "DATE_FORMAT")},
            )
        lead = Membership.objects.filter(
            team_id=found.team_id, user_id=found.created_by_id, role=Role.LEAD
        ).first()
        if lead is None or not found.created_by.is_active:
            raise AuthenticationError(
                401, _("The lead who made this token no longer leads the team. Create a new one.")
            )
        services.api_token_used(token=found, now=now)
        lead.team, lead.user = found.team, found.created_by
        return Caller(user=found.created_by, token=found, token_membership=lead)


class SignedInAuth(SessionAuth):
    """A signed-in person, as on the pages; writes need the CSRF token (X-CSRFToken)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        user = request.user
        if user.is_authenticated and isinstance(user, User):
            return Caller(user=user)
        return None
