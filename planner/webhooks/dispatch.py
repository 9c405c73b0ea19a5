"""Turning what happened into events and deliveries: feed entries (on commit, and a sweep
for any the on-commit hook missed), phase boundaries and weekly digests (on each beat),
and deliveries whose task was lost.

Plans and progress know nothing of webhooks: every change they make writes a feed entry
(`Activity`) in its own transaction, and this module reads those. An event is recorded
once per key (a unique constraint), and only whoever records it writes its deliveries
(one per endpoint, also unique), each with the exact body to send; `tasks` queues them.
"""

from __future__ import annotations

import json
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation

from planner.plans.models import Activity, Plan, PlanStatus
from planner.progress.standing import current_phase
from planner.reminders.schedule import Boundary, Due, decide, local_moment
from planner.reminders.selectors import schedule_of
from planner.teams.models import Team
from planner.webhooks import chat, selectors
from planner.webhooks.events import (
    FROM_ACTIVITY,
    EventType,
    activity_events,
    payload,
    reached_now,
)
from planner.webhooks.models import Delivery, DeliveryState, Endpoint, EndpointKind, Event

# Feed entries younger than this that made no event are picked up by the sweep: it
# covers a broker that was down for a day.
ACTIVITY_WINDOW = timedelta(hours=24)
# A pending delivery this far past its time, or one "sending" this long, lost its task or
# its worker (a send takes WEBHOOKS_TIMEOUT_SECONDS at most).
STUCK = timedelta(minutes=3)


def _endpoints(team_id: int, event_type: str, at: datetime) -> list[Endpoint]:
    """The team's active endpoints that want the event and existed when it happened."""
    return [
        e
        for e in Endpoint.objects.filter(team_id=team_id, active=True, created_at__lte=at)
        if e.wants(event_type)
    ]


def _record(
    *,
    key: str,
    event_type: str,
    team: Team,
    plan: Plan | None,
    at: datetime,
    data: dict[str, Any],
    endpoints: list[Endpoint],
    now: datetime,
    activity: Activity | None = None,
    chat_bodies: dict[str, str] | None = None,
) -> list[int]:
    """Record the event and its deliveries, unless another dispatcher did: the ids to
    send."""
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the caller's work
            event = Event.objects.create(
                key=key,
                type=event_type,
                team=team,
                plan=plan,
                activity=activity,
                data=data,
                occurred_at=at,
            )
    except IntegrityError:
        return []
    webhook_body = json.dumps(payload(event_type, at, data), ensure_ascii=False)
    deliveries = [
        Delivery(
            endpoint=endpoint,
            event=event,
            body=webhook_body if not endpoint.is_chat else (chat_bodies or {})[endpoint.kind],
            next_attempt_at=now,
            created_at=now,
        )
        for endpoint in endpoints
        if not endpoint.is_chat or (chat_bodies and endpoint.kind in chat_bodies)
    ]
    created = Delivery.objects.bulk_create(deliveries)
    return [d.pk for d in created]


# --- Feed entries ------------------------------------------------------------------------


def events_from_activity(activity_id: int, now: datetime | None = None) -> list[int]:
    """The events of one feed entry (if its team has endpoints that want them): the
    deliveries to send."""
    now = now or timezone.now()
    activity = selectors.activity_of(activity_id)
    if activity is None or activity.kind not in FROM_ACTIVITY:
        return []
    plan = activity.plan
    team = plan.team
    if not Endpoint.objects.filter(
        team=team, active=True, kind=EndpointKind.WEBHOOK, created_at__lte=activity.at
    ).exists():
        return []
    crossed = False
    if activity.kind == "measured" and activity.kpi_target is not None:
        before, after = selectors.standing_around(activity)
        crossed = reached_now(before, after)
    ids: list[int] = []
    with transaction.atomic():
        for event_type in activity_events(activity.kind, target_crossed=crossed):
            endpoints = _endpoints(team.pk, event_type, activity.at)
            ids += _record(
                key=f"activity-{activity.pk}-{event_type}",
                event_type=event_type,
                team=team,
                plan=plan,
                at=activity.at,
                data=_activity_data(activity, event_type),
                endpoints=endpoints,
                now=now,
                activity=activity,
            )
    return ids


def _activity_data(activity: Activity, event_type: str) -> dict[str, Any]:
    plan = activity.plan
    language = plan.team.language
    data: dict[str, Any] = {
        "team": selectors.team_data(plan.team),
        "plan": selectors.plan_data(plan),
        "actor": {"name": activity.actor.display_name} if activity.actor else None,
    }
    if activity.task is not None:
        data["task"] = selectors.task_data(activity.task, language)
    if activity.kpi_target is not None:
        _before, after = selectors.standing_around(activity)
        data["kpi"] = selectors.kpi_data(activity.kpi_target, after, language)
        data["measurement"] = {"value": activity.detail.get("value")}
    return data


def sweep_activities(now: datetime) -> list[int]:
    """Feed entries of the last day that made no event though their team has endpoints
    (the broker was down when they committed): their deliveries to send."""
    teams = Endpoint.objects.filter(active=True, kind=EndpointKind.WEBHOOK).values("team_id")
    missed = (
        Activity.objects.filter(
            at__gte=now - ACTIVITY_WINDOW,
            at__lte=now - timedelta(seconds=30),  # the on-commit hook's turn first
            kind__in=list(FROM_ACTIVITY),
            plan__team_id__in=teams,
        )
        .filter(~Exists(Event.objects.filter(activity=OuterRef("pk"))))
        .order_by("at", "pk")
        .values_list("pk", flat=True)
    )
    ids: list[int] = []
    for activity_id in missed:
        ids += events_from_activity(activity_id, now)
    return ids


# --- Phase boundaries and weekly digests --------------------------------------------------


def _plans_with_endpoints(*, digest: bool = False) -> list[Plan]:
    endpoints = Endpoint.objects.filter(active=True)
    if digest:
        endpoints = endpoints.filter(digest_weekday__isnull=False)
    return list(
        Plan.objects.filter(
            status=PlanStatus.ACTIVE,
            start_date__isnull=False,
            team_id__in=endpoints.values("team_id"),
        ).select_related("team")
    )


def dispatch_boundaries(now: datetime) -> list[int]:
    """Each running plan's latest due boundary not yet told (older missed ones are not
    told late, as with reminders): `phase.started` to webhooks, the summary to chat."""
    ids: list[int] = []
    for plan in _plans_with_endpoints():
        prefix = f"boundary-{plan.pk}-"
        done = {
            key.removeprefix(prefix).rsplit("-", 1)[0]
            for key in Event.objects.filter(key__startswith=prefix).values_list("key", flat=True)
        }
        decision = decide(schedule_of(plan), done, now, plan.reminders_from)
        if decision.send is not None:
            ids += _boundary(plan, decision.send, now)
    return ids


def _boundary(plan: Plan, due: Due, now: datetime) -> list[int]:
    boundary, at, team = due.boundary, due.at, plan.team
    ids: list[int] = []
    with transaction.atomic():
        if boundary.next_phase is not None:
            first, last = plan.phase_days(boundary.next_phase)
            first_date, last_date = plan.date_of_day(first), plan.date_of_day(last)
            data = {
                "team": selectors.team_data(team),
                "plan": selectors.plan_data(plan),
                "phase": {
                    "number": boundary.next_phase,
                    "first_day": first,
                    "last_day": last,
                    "first_date": first_date.isoformat() if first_date else None,
                    "last_date": last_date.isoformat() if last_date else None,
                },
            }
            ids += _record(
                key=f"boundary-{plan.pk}-{boundary.key}-started",
                event_type=EventType.PHASE_STARTED,
                team=team,
                plan=plan,
                at=at,
                data=data,
                endpoints=_endpoints(team.pk, EventType.PHASE_STARTED, at),
                now=now,
            )
        chats = _endpoints(team.pk, EventType.PHASE_SUMMARY, at)
        ids += _record(
            key=f"boundary-{plan.pk}-{boundary.key}-summary",
            event_type=EventType.PHASE_SUMMARY,
            team=team,
            plan=plan,
            at=at,
            data={"boundary": boundary.key},
            endpoints=chats,
            now=now,
            chat_bodies=chat_bodies(plan, boundary, {e.kind for e in chats}),
        )
    return ids


def chat_bodies(
    plan: Plan, boundary: Boundary, kinds: set[str], *, since: Any = None
) -> dict[str, str]:
    """The message for each chat service, in the team's language."""
    if not kinds:
        return {}
    with translation.override(plan.team.language):
        summary = selectors.summary_of(plan, boundary, digest_since=since)
        builders = {EndpointKind.SLACK: chat.slack, EndpointKind.TEAMS: chat.teams}
        return {
            kind: json.dumps(builders[EndpointKind(kind)](summary), ensure_ascii=False)
            for kind in kinds
        }


def dispatch_digests(now: datetime) -> list[int]:
    """The weekly digest of each running plan, on the weekday its channel chose, from the
    reminder hour in the team's time zone."""
    ids: list[int] = []
    for plan in _plans_with_endpoints(digest=True):
        zone = zoneinfo.ZoneInfo(plan.team.time_zone)
        local = timezone.localtime(now, zone)
        if local.hour < settings.REMINDER_HOUR or plan.start_date is None:
            continue
        today = local.date()
        day = (today - plan.start_date).days + 1
        if not 1 <= day <= plan.length:
            continue
        at = local_moment(plan.start_date, day, zone, settings.REMINDER_HOUR)
        chats = [
            e
            for e in _endpoints(plan.team_id, EventType.WEEKLY_DIGEST, at)
            if e.digest_weekday == today.weekday()
        ]
        key = f"digest-{plan.pk}-{today.isoformat()}"
        if not chats or Event.objects.filter(key=key).exists():
            continue
        phase = current_phase(plan.phases, day)
        boundary = Boundary("digest", day, None, phase)
        with transaction.atomic():
            ids += _record(
                key=key,
                event_type=EventType.WEEKLY_DIGEST,
                team=plan.team,
                plan=plan,
                at=at,
                data={"day": day},
                endpoints=chats,
                now=now,
                chat_bodies=chat_bodies(
                    plan, boundary, {e.kind for e in chats}, since=today - timedelta(days=7)
                ),
            )
    return ids


# --- Lost deliveries ----------------------------------------------------------------------


@dataclass
class SweepResult:
    unstuck: int = 0
    requeued: int = 0
    to_send: list[int] = field(default_factory=list, repr=False)


def sweep_deliveries(now: datetime) -> SweepResult:
    """Put back deliveries stuck in "sending" (their worker died) and pick out pending
    ones whose task was lost: both to be sent again, by whoever claims them."""
    stale = now - STUCK
    result = SweepResult()
    with transaction.atomic():
        stuck = list(
            Delivery.objects.filter(state=DeliveryState.SENDING, claimed_at__lt=stale).values_list(
                "pk", flat=True
            )
        )
        result.unstuck = Delivery.objects.filter(pk__in=stuck, state=DeliveryState.SENDING).update(
            state=DeliveryState.PENDING, next_attempt_at=now
        )
        lost = list(
            Delivery.objects.filter(
                state=DeliveryState.PENDING, next_attempt_at__lt=stale, endpoint__active=True
            ).values_list("pk", flat=True)
        )
        result.requeued = len(lost)
    result.to_send = sorted(set(stuck) | set(lost))
    return result
