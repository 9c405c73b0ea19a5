"""Stored plans: each keeps its own copy of tasks, KPI targets and the playbook version,
so that a later playbook change never alters a running plan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from planner.assessment.models import Assessment
from planner.teams.models import Team


def _text(value: dict[str, str]) -> str:
    """The active language's side of a stored {en, de} text."""
    return text_in(value, (get_language() or "en")[:2])


def text_in(value: dict[str, str], language: str) -> str:
    """One language's side of a stored {en, de} text, English where it has none; for lists
    that read the language once."""
    return value.get(language) or value.get("en") or ""


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    FINISHED = "finished", _("Finished")
    ARCHIVED = "archived", _("Archived")


class Plan(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="plans")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.SET_NULL, null=True, related_name="plans"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    length = models.PositiveSmallIntegerField(_("length in days"), default=30)
    # [[first, last], ...] for the four phases, copied from the playbook's layout.
    phases = models.JSONField(default=list)
    maturity = models.JSONField(default=list)
    playbook_version = models.CharField(max_length=20)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # The capacity the plan was drafted for: [{"member": user id or None, "weekly_hours": h}].
    seats = models.JSONField(default=list)
    # The moment the plan's reminders count from: when it started (the start of day 1 if
    # that was earlier), was last resumed or had its day 1 moved. The dispatcher records a
    # boundary before it as skipped, never sends it late.
    reminders_from = models.DateTimeField(null=True, blank=True)
    # When the reminder dispatcher next needs to look at this plan (None: nothing left),
    # so that a dispatch reads only the plans that are due. The dispatcher moves it on; a
    # change that moves the plan's boundaries sets it to now, to be looked at again.
    next_reminder_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(status__in=["active", "paused"]),
                name="plan_one_running_per_team",
            )
        ]
        indexes = [
            models.Index(
                fields=["next_reminder_at"],
                name="plan_reminder_due",
                condition=Q(status="active"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} plan ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        """The plan page; reads `self.team`."""
        return reverse("plan_detail", kwargs={"team_slug": self.team.slug, "plan_id": self.pk})

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def is_active(self) -> bool:
        return self.status == PlanStatus.ACTIVE

    def phase_days(self, phase: int) -> tuple[int, int]:
        first, last = self.phases[phase - 1]
        return int(first), int(last)

    def date_of_day(self, day: int) -> date | None:
        return None if self.start_date is None else self.start_date + timedelta(days=day - 1)


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")


class TaskContent(models.Model):
    """What a task says and needs, copied from the catalogue: a plan's task and a backlog
    entry hold the same, so a task moves between them whole."""

    catalogue_id = models.CharField(max_length=60, blank=True)  # empty for custom tasks
    area = models.CharField(max_length=60, blank=True)
    phase = models.PositiveSmallIntegerField(_("phase"))
    effort_hours = models.DecimalField(_("effort (hours)"), max_digits=5, decimal_places=1)
    title = models.JSONField()  # {"en": ..., "de": ...}
    description = models.JSONField(default=dict)
    steps = models.JSONField(default=list)
    evidence = models.JSONField(default=dict)
    why = models.JSONField(default=dict)
    prerequisites = models.JSONField(default=list)  # catalogue ids within this plan

    # The fields above, for copying a task from the plan to its backlog and back.
    CONTENT = (
        "catalogue_id",
        "area",
        "phase",
        "effort_hours",
        "title",
        "description",
        "steps",
        "evidence",
        "why",
        "prerequisites",
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title_text

    @property
    def own_title(self) -> str:
        """The title as written (what an edit changes)."""
        return _text(self.title)

    @property
    def title_text(self) -> str:
        return self.own_title

    @property
    def why_text(self) -> str:
        return _text(self.why)

    @property
    def description_text(self) -> str:
        return _text(self.description)


def part_title(title: str, part: int, parts: int) -> str:
    """A task's title with the part it is of a task shared by several people."""
    if parts > 1:
        return gettext("%(title)s (part %(part)s of %(parts)s)") % {
            "title": title,
            "part": part,
            "parts": parts,
        }
    return title


# A task id no real task has: reversed once for a plan's tasks and replaced by each id.
_TASK_STAND_IN = 2_147_483_647


def task_paths(team_slug: str, plan_id: int) -> Callable[[int], str]:
    """Task id -> the task's page, for a list of one plan's tasks: one URL reversal for the
    list instead of one for each task."""
    path = reverse(
        "task_detail",
        kwargs={"team_slug": team_slug, "plan_id": plan_id, "task_id": _TASK_STAND_IN},
    )
    before, after = path.split(f"/{_TASK_STAND_IN}/", 1)
    return lambda task_id: f"{before}/{task_id}/{after}"


class PlanTask(TaskContent):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    # The days it is worked on; `day` is the last, when it is due.
    start_day = models.PositiveSmallIntegerField(_("first day"))
    day = models.PositiveSmallIntegerField(_("day"))
    # A task several people do side by side is stored once per person: part 1 of 2, ...
    part = models.PositiveSmallIntegerField(default=1)
    parts = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveIntegerField(default=0)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_tasks",
        verbose_name=_("assignee"),
    )
    # Progress, once the plan runs. `closed_*` says who ticked or skipped it, and when.
    status = models.CharField(
        _("status"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    skip_reason = models.CharField(_("reason for skipping"), max_length=500, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    # Bumped by every note or evidence change: a save based on an older text is refused
    # instead of silently overwriting what someone else wrote meanwhile.
    notes_revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["day", "position", "pk"]
        indexes = [
            # Covers the task groups that plan summaries sum per plan, phase, day and
            # status (`progress.selectors.facts`): read from the index alone, the sums
            # for a member of 20 teams (6,000 tasks) take a quarter of the time.
            models.Index(
                fields=["plan", "phase", "day", "status", "effort_hours"],
                name="task_progress_groups",
            )
        ]

    def get_absolute_url(self) -> str:
        """The task's page; reads `self.plan.team`, so load them with the task."""
        plan = self.plan
        return reverse(
            "task_detail",
            kwargs={"team_slug": plan.team.slug, "plan_id": plan.pk, "task_id": self.pk},
        )

    @property
    def title_text(self) -> str:
        """The title, with the part it is of a shared task."""
        return part_title(self.own_title, self.part, self.parts)

    @property
    def is_custom(self) -> bool:
        return not self.catalogue_id

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    @property
    def is_done(self) -> bool:
        return self.status == TaskStatus.DONE


class BacklogReason(models.TextChoices):
    CAPACITY = "capacity", _("more work than the team's hours hold")
    PREREQUISITE = "prerequisite", _("waits for a task in the backlog")
    PUSHED_OUT = "pushed_out", _("moved out by the lead")


class BacklogTask(TaskContent):
    """A task selected for the team that the plan does not hold: it did not fit the
    team's capacity, waits for one that did not, or the lead moved it out. A lead can
    pull it into the plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="backlog")
    position = models.PositiveIntegerField(default=0)  # rank: the best first
    reason = models.CharField(max_length=16, choices=BacklogReason.choices)
    waiting_for = models.CharField(max_length=60, blank=True)  # a prerequisite's catalogue id

    class Meta:
        verbose_name = _("backlog task")
        verbose_name_plural = _("backlog tasks")
        ordering = ["position", "pk"]


class KpiTarget(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="kpi_targets")
    kpi_id = models.CharField(max_length=60)
    area = models.CharField(max_length=60)
    title = models.JSONField()
    unit = models.CharField(max_length=16)
    direction = models.CharField(max_length=8)
    baseline = models.FloatField(_("baseline"))
    target = models.FloatField(_("target"))
    why = models.JSONField(default=dict)
    source = models.TextField(blank=True)
    # The range a measurement may take (from the baseline question) and, for a band KPI,
    # the healthy band; copied like everything else, so the plan stands on its own.
    minimum = models.FloatField(null=True, blank=True)
    maximum = models.FloatField(null=True, blank=True)
    band_low = models.FloatField(null=True, blank=True)
    band_high = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kpi_id"], name="kpi_target_once_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id}: {self.baseline} -> {self.target}"

    @property
    def title_text(self) -> str:
        return _text(self.title)

    @property
    def why_text(self) -> str:
        return _text(self.why)

    @property
    def band(self) -> tuple[float, float] | None:
        """A band KPI's healthy range, else None."""
        if self.band_low is None or self.band_high is None:
            return None
        return (self.band_low, self.band_high)


class ActivityKind(models.TextChoices):
    DONE = "done", _("ticked off")
    REOPENED = "reopened", _("reopened")
    SKIPPED = "skipped", _("skipped")
    TAKEN = "taken", _("took")
    ASSIGNED = "assigned", _("assigned")
    MOVED = "moved", _("moved")
    RENAMED = "renamed", _("renamed")
    ADDED = "added", _("added")
    NOTED = "noted", _("updated the note of")
    MEASURED = "measured", _("measured")
    STARTED = "started", _("started the plan")
    FINISHED = "finished", _("finished the plan")
    PAUSED = "paused", _("paused the plan")
    RESUMED = "resumed", _("resumed the plan")
    RESCHEDULED = "rescheduled", _("moved the start date")


class Activity(models.Model):
    """One change by one person: the feed, and each task's history.

    Written in the same transaction as the change it records, so the two always agree.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activities")
    task = models.ForeignKey(
        PlanTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    kpi_target = models.ForeignKey(
        KpiTarget, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=ActivityKind.choices)
    # Small facts for the feed: a skip reason, the day a task moved to, a measured value.
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "progress_activity"  # kept from when the feed lived in progress
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["plan", "-at"], name="activity_plan_recent"),
            # The newest entry's id stamps the plan's state for the dashboard's cache key
            # on every view: read from the end of this index, not from every entry.
            models.Index(fields=["plan", "id"], name="activity_plan_stamp"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.kind} at {self.at:%Y-%m-%d %H:%M}"
