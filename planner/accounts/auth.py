"""The signed-in user of a request, typed as our User model."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from planner.accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    """For views behind `login_required`; anything else is a wiring mistake, refused."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in first.")
    return user
