"""Reads for webhooks: the facts an event's payload carries, the phase summary a chat
channel gets, and the rows of the lead's pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import translation

from planner.plans.models import Activity, KpiTarget, Plan, PlanTask, TaskStatus
from planner.progress.models import KpiMeasurement
from planner.progress.standing import KpiStanding
from planner.progress.templatetags.planner import NO_BREAK, with_unit
from planner.reminders.emails import absolute, plan_digest
from planner.reminders.schedule import Boundary
from planner.teams.models import Team
from planner.webhooks.chat import KpiLine, Line, Summary
from planner.webhooks.models import Delivery, DeliveryState, Endpoint, EndpointKind

# --- Payload facts -----------------------------------------------------------------------


def team_data(team: Team) -> dict[str, Any]:
    return {
        "slug": team.slug,
        "name": team.name,
        "url": absolute(reverse("team_detail", kwargs={"team_slug": team.slug})),
    }


def plan_data(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "status": plan.status,
        "start_date": plan.start_date.isoformat() if plan.start_date else None,
        "length": plan.length,
        "url": absolute(plan.get_absolute_url()),
    }


def task_data(task: PlanTask, language: str) -> dict[str, Any]:
    with translation.override(language):
        title = task.title_text
    due = task.plan.date_of_day(task.day)
    return {
        "id": task.pk,
        "title": title,
        "phase": task.phase,
        "day": task.day,
        "due_date": due.isoformat() if due else None,
        "status": task.status,
        "assignee": task.assignee.display_name if task.assignee else None,
        "url": absolute(task.get_absolute_url()),
    }


def kpi_data(target: KpiTarget, standing: KpiStanding, language: str) -> dict[str, Any]:
    with translation.override(language):
        title = target.title_text
    return {
        "id": target.kpi_id,
        "title": title,
        "unit": target.unit,
        "direction": target.direction,
        "baseline": target.baseline,
        "target": target.target,
        "band": list(target.band) if target.band else None,
        "latest": standing.latest,
        "reached": standing.reached,
        "url": absolute(
            reverse(
                "kpi_measurements",
                kwargs={
                    "team_slug": target.plan.team.slug,
                    "plan_id": target.plan_id,
                    "target_id": target.pk,
                },
            )
        ),
    }


def activity_of(activity_id: int) -> Activity | None:
    return (
        Activity.objects.select_related(
            "plan__team", "task__assignee", "task__plan__team", "kpi_target__plan__team", "actor"
        )
        .filter(pk=activity_id)
        .first()
    )


def standing_around(activity: Activity) -> tuple[KpiStanding, KpiStanding]:
    """Where the activity's KPI stood just before its measurement was recorded and after
    (the latest by measurement time, as the dashboard shows it)."""
    target = activity.kpi_target
    assert target is not None  # noqa: S101 # a "measured" entry names its KPI
    measurements = list(
        KpiMeasurement.objects.filter(target=target, recorded_at__lte=activity.at)
        .order_by("measured_at", "pk")
        .values_list("pk", "value", "recorded_at")
    )
    value = activity.detail.get("value")
    this = max((pk for pk, v, at in measurements if at == activity.at and v == value), default=None)
    before = [v for pk, v, _at in measurements if pk != this]
    after = [v for _pk, v, _at in measurements]

    def standing(values: list[float]) -> KpiStanding:
        return KpiStanding(
            target.direction,
            target.baseline,
            target.target,
            values[-1] if values else None,
            target.band,
        )

    return standing(before), standing(after)


# --- Chat summaries ----------------------------------------------------------------------


def _number(value: float, unit: str) -> str:
    return with_unit(value, unit).replace(NO_BREAK, " ")


def summary_of(plan: Plan, boundary: Boundary, *, digest_since: date | None = None) -> Summary:
    """The plan at a boundary (or, for a weekly digest, on its day `boundary.day`) in the
    active language: what the reminder emails tell, for a channel."""
    digest = plan_digest(plan, boundary)
    language = (translation.get_language() or "en")[:2]
    kwargs = {"team_slug": plan.team.slug, "plan_id": plan.pk}

    def line(row: Any) -> Line:
        title = row.title.get(language) or row.title.get("en") or ""
        url = absolute(reverse("task_detail", kwargs={**kwargs, "task_id": row.pk}))
        return Line(title, row.owner, url)

    done_ids = _done_since(plan, digest_since) if digest_since else set()
    ended = boundary.ended_phase
    following = boundary.next_phase
    ended_phase = digest.phases[ended - 1] if ended else None
    by_owner: dict[str, list[Line]] = {}
    for row in digest.rows:
        if following and row.phase == following and row.status == TaskStatus.OPEN:
            by_owner.setdefault(row.owner, []).append(line(row))
    kpis = [
        KpiLine(
            title=card.target.title_text,
            baseline=_number(card.target.baseline, card.target.unit),
            latest=(
                _number(card.standing.latest, card.target.unit)
                if card.standing.latest is not None
                else None
            ),
            target=(
                f"{_number(card.target.band_low, card.target.unit)}–"
                f"{_number(card.target.band_high, card.target.unit)}"
                if card.target.band_low is not None and card.target.band_high is not None
                else _number(card.target.target, card.target.unit)
            ),
            reached=card.standing.reached,
        )
        for card in digest.kpis
    ]
    return Summary(
        key=boundary.key,
        team=plan.team.name,
        plan_url=absolute(plan.get_absolute_url()),
        progress_url=absolute(reverse("team_progress", kwargs={"team_slug": plan.team.slug})),
        length=plan.length,
        ended_phase=ended,
        ended_done=ended_phase.done if ended_phase else 0,
        ended_open=[
            line(r) for r in digest.rows if r.phase == ended and r.status == TaskStatus.OPEN
        ],
        next_phase=following,
        next_by_owner=sorted(by_owner.items(), key=lambda pair: (pair[0] == "", pair[0])),
        kpis=kpis,
        done_recently=[line(r) for r in digest.rows if r.pk in done_ids],
    )


def _done_since(plan: Plan, since: date) -> set[int]:
    return set(
        plan.tasks.filter(
            status=TaskStatus.DONE, closed_at__gte=plan.team.start_of(since)
        ).values_list("pk", flat=True)
    )


# --- Pages --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EndpointRow:
    endpoint: Endpoint
    sent: int
    failed: int
    open: int
    last_at: datetime | None


def team_endpoints(team: Team) -> list[EndpointRow]:
    """The team's endpoints with their delivery counts: one query."""
    endpoints = (
        Endpoint.objects.filter(team=team)
        .select_related("team")
        .annotate(
            sent=Count("deliveries", filter=Q(deliveries__state=DeliveryState.SENT)),
            failed=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
            open=Count(
                "deliveries",
                filter=Q(deliveries__state__in=[DeliveryState.PENDING, DeliveryState.SENDING]),
            ),
            last_at=Max("deliveries__sent_at"),
        )
        .order_by("kind", "created_at", "pk")
    )
    return [EndpointRow(e, e.sent, e.failed, e.open, e.last_at) for e in endpoints]


def chat_of(rows: list[EndpointRow], kind: EndpointKind) -> EndpointRow | None:
    return next((row for row in rows if row.endpoint.kind == kind), None)


RECENT = 50


def recent_deliveries(endpoint: Endpoint, now: datetime) -> list[Delivery]:
    """The endpoint's last deliveries of the past 30 days, newest first: one query."""
    return list(
        Delivery.objects.filter(endpoint=endpoint, created_at__gte=now - timedelta(days=30))
        .select_related("event")
        .defer("body", "event__data")
        .order_by("-created_at", "-pk")[:RECENT]
    )


def event_labels(endpoint: Endpoint) -> list[str]:
    from planner.webhooks.events import EventType

    if endpoint.is_chat:
        labels = [str(EventType.PHASE_SUMMARY.label)]
        if endpoint.digest_weekday is not None:
            labels.append(str(EventType.WEEKLY_DIGEST.label))
        return labels
    return [str(EventType(value).label) for value in endpoint.events]
