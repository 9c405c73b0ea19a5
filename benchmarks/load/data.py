"""The run's data, built through Django in the run's own process: running plans, the
engineers with their sessions and their task to tick; after the run, what the database
kept of the ticks. Needs Django set up on the scratch database."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.db.models import Count, Max

from benchmarks.bench_dashboard import TODAY, _setup
from benchmarks.load.client import Engineer
from benchmarks.load.ticks import Observed, TickLedger
from planner.accounts.models import User
from planner.plans.models import Activity, ActivityKind, PlanTask, TaskStatus

ENGINEERS_PER_PLAN = 9  # `_setup`'s team: a lead and nine engineers


def build_plans(count: int) -> list[str]:
    """`count` teams, each with a running 300-task plan, 10 members, 8 KPIs, 500
    measurements and 200 feed entries (the dashboard benchmark's team); their slugs."""
    slugs = [f"load-{n:03d}" for n in range(count)]
    for slug in slugs:
        _setup(slug)
    # Statistics for the query planner, as a database in use has them: without them,
    # tables filled a moment ago are planned as if nearly empty until autovacuum comes.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return slugs


def pick_engineers(slugs: Sequence[str], count: int) -> list[Engineer]:
    """`count` engineers spread over the teams (one a team while there are teams enough,
    then a second, ...), each signed in with a session of their own and given the open
    task of theirs due today, which no one else ticks."""
    if count > len(slugs) * ENGINEERS_PER_PLAN:
        raise ValueError(f"{count} engineers need at least {-(-count // ENGINEERS_PER_PLAN)} plans")
    engineers = []
    for index in range(count):
        slug = slugs[index % len(slugs)]
        user = User.objects.get(email=f"{slug}-{1 + index // len(slugs)}@example.org")
        task = (
            PlanTask.objects.filter(
                plan__team__slug=slug, assignee=user, status=TaskStatus.OPEN, day__gte=TODAY
            )
            .order_by("day", "pk")
            .first()
        )
        if task is None:
            raise RuntimeError(f"{user.email} has no open task from day {TODAY}")
        engineers.append(
            Engineer(
                email=user.email,
                session=session_for(user),
                team_slug=slug,
                plan_id=task.plan_id,
                task_id=task.pk,
                ledger=TickLedger(task.pk),
            )
        )
    return engineers


def session_for(user: User) -> str:
    """A signed-in session, as `login()` would leave it, without the sign-in form (whose
    rate limit would stop fifty sign-ins from one address) or a password hash."""
    store = importlib.import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


def feed_mark() -> int:
    """The newest feed entry's id: the run's tick entries are those after it."""
    return int(Activity.objects.aggregate(last=Max("pk"))["last"] or 0)


TICK_KINDS = (ActivityKind.DONE, ActivityKind.REOPENED)


def observe(task_ids: Sequence[int], after: int) -> dict[int, Observed]:
    """Each task's status now, and the tick entries written for it after feed entry `after`."""
    entries = dict(
        Activity.objects.filter(task_id__in=task_ids, kind__in=TICK_KINDS, pk__gt=after)
        .values("task_id")
        .annotate(n=Count("pk"))
        .values_list("task_id", "n")
    )
    return {
        pk: Observed(status=status, entries=entries.get(pk, 0))
        for pk, status in PlanTask.objects.filter(pk__in=task_ids).values_list("pk", "status")
    }
