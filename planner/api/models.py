"""Team API tokens: named, scoped read or write, expiring; only a SHA-256 digest is stored."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from planner.teams.models import Team

# What a token looks like: a fixed prefix, so secret scanners (and people) recognise it.
TOKEN_PREFIX = "plnr_"  # noqa: S105 - a prefix, not a secret


class Scope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


class ApiToken(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    scope = models.CharField(_("access"), max_length=8, choices=Scope.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters after the prefix, to tell tokens apart in lists and logs.
    hint = models.CharField(max_length=8, editable=False)
    # The token acts as the lead who made it; it stops working when they are no longer one.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({TOKEN_PREFIX}{self.hint}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == Scope.WRITE

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at
