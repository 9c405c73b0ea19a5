"""The pages of the engineer's loop on a running plan of 300 tasks, each against a minimal
view on the same middleware stack, in the same run: the team dashboard (cached, after a
tick, and with nothing cached), My tasks, a task's page and All my teams.

Goals (issue 16): dashboard cached >= 0.40, after a change >= 0.12; My tasks >= 0.20; task
page >= 0.20; all teams >= 0.25.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import cycle

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path
from django.utils import timezone, translation

from benchmarks.harness import Figure, compare, settle
from planner.accounts.models import User
from planner.plans.models import (
    Activity,
    ActivityKind,
    KpiTarget,
    Plan,
    PlanStatus,
    PlanTask,
    TaskStatus,
)
from planner.progress.models import KpiMeasurement
from planner.progress.selectors import current_plan, dashboard_key
from planner.teams.models import Membership, Role, Team

SLUG = "bench-progress"
TIME_ZONE = "Europe/Zurich"
PHASES = [[1, 7], [8, 14], [15, 21], [22, 30]]
LENGTH = 30
TASKS = 300
TARGETS = 8
MEASUREMENTS = 500
ACTIVITIES = 200
TODAY = 17  # the plan day it is today: the plan started 16 days ago


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("bench/minimal/", minimal), path("", include("planner.urls"))]


def _phase(day: int) -> int:
    return next(number for number, (first, last) in enumerate(PHASES, 1) if first <= day <= last)


def _setup(slug: str = SLUG) -> tuple[User, User]:
    """A running plan of 300 tasks, 10 members, 8 KPI targets with 500 measurements and
    200 feed entries for the team `slug`; returns the team's lead and an engineer with 30
    tasks assigned."""
    zone = zoneinfo.ZoneInfo(TIME_ZONE)
    now = timezone.now()
    today = timezone.localtime(now, zone).date()
    start_date = today - timedelta(days=TODAY - 1)
    # Day 1 of the plan, 08:00 in the team's time zone.
    start = datetime.combine(start_date, time(8), tzinfo=zone)

    team = Team.objects.create(name="Bench progress", slug=slug, time_zone=TIME_ZONE)
    # No password: the client signs in with `force_login`, and hashing ten would be slow.
    lead = User.objects.create_user(f"{slug}-lead@example.org", None, name="Lead")
    members = [lead] + [
        User.objects.create_user(f"{slug}-{n}@example.org", None, name=f"Engineer {n}")
        for n in range(1, 10)
    ]
    Membership.objects.bulk_create(
        Membership(team=team, user=user, role=Role.LEAD if user is lead else Role.ENGINEER)
        for user in members
    )
    plan = Plan.objects.create(
        team=team,
        status=PlanStatus.ACTIVE,
        length=LENGTH,
        phases=PHASES,
        playbook_version="bench",
        start_date=start_date,
        created_by=lead,
        created_at=now - timedelta(days=20),
        started_at=now,
    )

    # Ten tasks a day, one for each member: every member has 30 of the 300.
    tasks = []
    for n in range(TASKS):
        day = 1 + n // len(members)
        assignee = members[n % len(members)]
        # Before today mostly done, about one in seven left open (overdue).
        done = day < TODAY and n % 7 != 3
        tasks.append(
            PlanTask(
                plan=plan,
                catalogue_id=f"bench-{n}",
                area="monitoring",
                phase=_phase(day),
                start_day=day,
                day=day,
                position=n % len(members),
                assignee=assignee,
                effort_hours=Decimal("2.0"),
                title={"en": f"Task {n}", "de": f"Aufgabe {n}"},
                status=TaskStatus.DONE if done else TaskStatus.OPEN,
                closed_at=start + timedelta(days=day - 1, hours=1 + n % 8) if done else None,
                closed_by=assignee if done else None,
            )
        )
    PlanTask.objects.bulk_create(tasks)

    targets = KpiTarget.objects.bulk_create(
        KpiTarget(
            plan=plan,
            kpi_id=f"bench-latency-{n}",
            area="monitoring",
            title={"en": f"Latency {n}", "de": f"Latenz {n}"},
            unit="ms",
            direction="lower",
            baseline=200,
            target=120,
            minimum=1,
            maximum=60000,
        )
        for n in range(TARGETS)
    )
    # Spread over the first 15 days of the plan: all in the past, whatever the hour.
    step = timedelta(days=TODAY - 2) / MEASUREMENTS
    KpiMeasurement.objects.bulk_create(
        KpiMeasurement(
            target=targets[n % TARGETS],
            value=200 - 80 * n / MEASUREMENTS + n % 5,
            measured_at=start + step * n,
            recorded_by=members[n % len(members)],
        )
        for n in range(MEASUREMENTS)
    )

    closed = PlanTask.objects.filter(plan=plan, status=TaskStatus.DONE).order_by("pk")
    feed = cycle([(t.pk, t.closed_by_id, t.closed_at) for t in closed if t.closed_at])
    Activity.objects.bulk_create(
        Activity(
            plan=plan,
            task_id=task_id,
            actor_id=actor_id,
            kind=ActivityKind.DONE,
            at=closed_at + timedelta(minutes=n // 100),
        )
        for n, (task_id, actor_id, closed_at) in zip(range(ACTIVITIES), feed, strict=False)
    )
    return lead, members[1]


def run() -> list[Figure]:
    lead, engineer = _setup()
    settle()

    with override_settings(ROOT_URLCONF=__name__):
        lead_client = Client()
        lead_client.force_login(lead)
        engineer_client = Client()
        engineer_client.force_login(engineer)

        def get(client: Client, url: str) -> bytes:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response.content

        dashboard_url = f"/teams/{SLUG}/progress/"
        assert b"Burn-up" in get(lead_client, dashboard_url), "no burn-up chart"
        team = Team.objects.get(slug=SLUG)
        plan = current_plan(team)
        assert plan is not None
        # The key as the lead's request makes it: in their language and time zone.
        zone = zoneinfo.ZoneInfo(lead.time_zone)
        with translation.override(lead.language or "en"), timezone.override(zone):
            body = make_template_fragment_key(
                "team-dashboard", [dashboard_key(plan, team.today(timezone.now()))]
            )
        assert cache.get(body) is not None, "the dashboard's body is not where the bench looks"

        def after_tick() -> None:
            # What a tick does to the cache: the body's key moves, the KPI cards' stays.
            cache.delete(body)
            get(lead_client, dashboard_url)

        def cold() -> None:
            cache.clear()
            get(lead_client, dashboard_url)

        task = PlanTask.objects.filter(plan=plan, assignee=engineer, status=TaskStatus.OPEN).last()
        assert task is not None
        task_url = task.get_absolute_url()

        def minimal() -> None:
            get(lead_client, "/bench/minimal/")

        pages = [
            (
                "progress dashboard (300 tasks, 10 members, 8 KPIs, 500 measurements)",
                lambda: get(lead_client, dashboard_url),
            ),
            (
                "same dashboard, first view after a tick (body rebuilt, KPI cards cached)",
                after_tick,
            ),
            ("same dashboard, nothing cached", cold),
            ("my tasks home page (30 tasks assigned)", lambda: get(engineer_client, "/")),
            (
                "task page (one of the engineer's open tasks)",
                lambda: get(engineer_client, task_url),
            ),
            ("all my teams (the lead of one team)", lambda: get(lead_client, "/teams/")),
        ]
        return [compare(name, page, "minimal view", minimal) for name, page in pages]
