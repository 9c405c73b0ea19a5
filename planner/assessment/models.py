"""A team's self-assessment: answers kept server-side as a draft until it is completed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from planner.teams.models import Team


class Assessment(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="assessments")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    playbook_version = models.CharField(max_length=20)
    # Raw answers as entered (a draft may hold invalid ones; they are validated on Next).
    answers = models.JSONField(default=dict, blank=True)
    not_applicable = models.JSONField(default=list, blank=True)
    targets = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(completed_at__isnull=True),
                name="assessment_one_draft_per_team",
            )
        ]

    def __str__(self) -> str:
        return f"Assessment of {self.team} ({self.created_at:%Y-%m-%d})"

    @property
    def is_draft(self) -> bool:
        return self.completed_at is None
