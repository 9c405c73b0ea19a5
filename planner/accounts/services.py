"""Writes to a user's own profile."""

from __future__ import annotations

from planner.accounts.models import User


def user_update_profile(*, user: User, name: str, language: str, time_zone: str) -> User:
    user.name = name.strip()
    user.language = language
    user.time_zone = time_zone
    user.full_clean(exclude=["password"])
    user.save(update_fields=["name", "language", "time_zone", "updated_at"])
    return user


def user_set_language(*, user: User, language: str) -> None:
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
