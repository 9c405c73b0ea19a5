"""Writes for API tokens: create (the secret is returned once), revoke, note a use."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from planner.accounts.models import User
from planner.api.models import TOKEN_PREFIX, ApiToken, Scope
from planner.teams.models import Team, hash_token

# A token lives at most a year; a pipeline's secret should be rotated at least that often.
LONGEST_LIFE = timedelta(days=366)
# "Last used" is written at most this often, so reading through the API does not write a
# row on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenRuleError(Exception):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown to the lead once; only its digest is stored


@transaction.atomic
def api_token_create(
    *,
    team: Team,
    user: User,
    name: str,
    scope: Scope,
    expires_at: datetime,
    now: datetime | None = None,
) -> NewToken:
    now = now or timezone.now()
    name = name.strip()
    if not name:
        raise TokenRuleError(_("Give the token a name, e.g. the pipeline that uses it."), "name")
    if expires_at <= now:
        raise TokenRuleError(_("Pick an expiry date in the future."), "expires_at")
    if expires_at > now + LONGEST_LIFE:
        raise TokenRuleError(_("A token can live at most a year."), "expires_at")
    if ApiToken.objects.filter(team=team, name=name, revoked_at=None).exists():
        raise TokenRuleError(_("The team already has a token with this name."), "name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        team=team,
        name=name,
        scope=scope,
        token_hash=hash_token(secret),
        hint=secret[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 6],
        created_by=user,
        created_at=now,
        expires_at=expires_at,
    )
    return NewToken(token=token, secret=secret)


def api_token_revoke(*, token: ApiToken, now: datetime | None = None) -> bool:
    """Stop a token at once; False if it was revoked already."""
    now = now or timezone.now()
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=now)
    if revoked:
        token.revoked_at = now
    return bool(revoked)


def api_token_used(*, token: ApiToken, now: datetime) -> None:
    """Note that the token was used, at most once a minute (one conditional UPDATE)."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=now - LAST_USED_PRECISION).update(
        last_used_at=now
    )
    token.last_used_at = now
