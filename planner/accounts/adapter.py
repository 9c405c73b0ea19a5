"""django-allauth hooks: new accounts start in the language they signed up in."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation

from planner.accounts.models import User


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth ships no type hints
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> User:
        language = (translation.get_language() or "en")[:2]
        if language in {"en", "de"}:
            user.language = language
        saved: User = super().save_user(request, user, form, commit=commit)
        return saved
