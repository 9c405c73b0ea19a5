"""Demo data for `make run`: one team, its lead, two engineers and a plan in its third
phase, with two weeks of ticks, notes and KPI measurements.

Safe to load twice."""

from __future__ import annotations

import random
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from planner.accounts.models import User
from planner.assessment.examples import IAC_NO_MONITORING
from planner.assessment.models import Assessment
from planner.plans.models import KpiTarget, Plan, PlanStatus
from planner.plans.services import plan_generate, plan_start
from planner.playbook.loader import get_playbook
from planner.progress.services import (
    measurement_record,
    task_annotate,
    task_complete,
    task_skip,
)
from planner.reminders.models import Delivery, DeliveryState, Reminder, ReminderState
from planner.reminders.schedule import decide
from planner.reminders.selectors import schedule_of
from planner.teams.models import Membership, Role, Team

DEMO_PASSWORD = "planner-demo"  # noqa: S105 - public by design; `demo` refuses DEBUG off
DEMO_TEAM_SLUG = "demo"


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    language: str
    role: Role


DEMO_USERS = (
    DemoUser("lead@example.com", "Lena Lead", "en", Role.LEAD),
    DemoUser("engineer@example.com", "Eric Engineer", "en", Role.ENGINEER),
    DemoUser("engineer2@example.com", "Erika Ingenieurin", "de", Role.ENGINEER),
)


@transaction.atomic
def demo_load() -> Team:
    """Create or reset the demo team and accounts to their known state."""
    team, _ = Team.objects.update_or_create(
        slug=DEMO_TEAM_SLUG,
        defaults={"name": "Demo ML Platform", "time_zone": "Europe/Zurich", "language": "en"},
    )
    for demo in DEMO_USERS:
        user = User.objects.filter(email__iexact=demo.email).first() or User(email=demo.email)
        user.name = demo.name
        user.language = demo.language
        user.time_zone = "Europe/Zurich"
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=demo.email, defaults={"verified": True, "primary": True}
        )
        Membership.objects.update_or_create(team=team, user=user, defaults={"role": demo.role})
    _demo_plan(team, User.objects.get(email=DEMO_USERS[0].email))
    return team


# The demo plan started this many days ago, so it is in its third phase (days 15-21).
DEMO_DAY = 17


def _demo_plan(team: Team, lead: User) -> None:
    """A running plan from the "IaC but no monitoring" example, for the three demo people at
    eight hours a week each, with two weeks of history.

    Nothing happens if the team already has an active plan.
    """
    if Plan.objects.filter(team=team, status=PlanStatus.ACTIVE).exists():
        return
    # A self-assessment someone left half done in the demo team makes way for the demo's.
    Assessment.objects.filter(team=team, completed_at__isnull=True).delete()
    playbook = get_playbook()
    zone = zoneinfo.ZoneInfo(team.time_zone)
    today = timezone.localdate(timezone=zone)
    start = today - timedelta(days=DEMO_DAY - 1)
    kick_off = datetime.combine(start, time(9), zone)
    assessment = Assessment.objects.create(
        team=team,
        created_by=lead,
        playbook_version=playbook.version,
        answers={**IAC_NO_MONITORING, "team_size": len(DEMO_USERS), "hours_per_week": 8},
        created_at=kick_off - timedelta(days=2),
    )
    plan = plan_generate(
        assessment=assessment,
        playbook=playbook,
        user=lead,
        length=30,
        start=start,
        now=kick_off - timedelta(days=1),
    )
    plan_start(plan=plan, start_date=start, now=kick_off, user=lead)
    _demo_history(plan, lead, kick_off)
    _demo_reminders(plan)


def _demo_reminders(plan: Plan) -> None:
    """The reminders of the boundaries already passed, as sent, and the next one to come,
    as the dispatcher would have left them."""
    now = timezone.now()
    members = list(User.objects.filter(memberships__team_id=plan.team_id).order_by("pk"))
    schedule = schedule_of(plan)
    for due in schedule:
        if due.at > now:
            break
        reminder = Reminder.objects.create(
            plan=plan,
            key=due.boundary.key,
            due_at=due.at,
            state=ReminderState.DISPATCHED,
            created_at=due.at,
        )
        Delivery.objects.bulk_create(
            Delivery(
                reminder=reminder,
                user=member,
                email=member.email,
                state=DeliveryState.SENT,
                attempts=1,
                claimed_at=due.at,
                next_attempt_at=due.at,
                sent_at=due.at + timedelta(seconds=20),
            )
            for member in members
        )
    done = {due.boundary.key for due in schedule if due.at <= now}
    next_at = decide(schedule, done, now).next_at
    Plan.objects.filter(pk=plan.pk).update(next_reminder_at=next_at)


def _demo_history(plan: Plan, lead: User, kick_off: datetime) -> None:
    """Ticks, a skip, notes and KPI measurements as a team would leave them."""
    chance = random.Random(2026)  # noqa: S311 - demo data, not security
    members = list(User.objects.filter(memberships__team_id=plan.team_id).order_by("pk"))
    now = timezone.now()
    tasks = list(plan.tasks.order_by("day", "position", "pk"))
    # Most tasks due before today are done, a few late, three still open (overdue).
    left_open = {t.pk for t in tasks if DEMO_DAY - 6 <= t.day < DEMO_DAY}
    left_open = set(sorted(left_open)[:3])
    skipped = next((t for t in tasks if t.day < DEMO_DAY and t.pk not in left_open), None)
    for task in tasks:
        if task.day >= DEMO_DAY or task.pk in left_open:
            continue
        who = task.assignee or chance.choice(members)
        late = chance.choice([0, 0, 0, 1, 2])
        at = kick_off + timedelta(days=task.day - 1 + late, hours=chance.randint(1, 8))
        at = min(at, now - timedelta(hours=1))
        if task == skipped:
            task_skip(
                task_id=task.pk,
                user=lead,
                reason="Our platform team already covers this.",
                is_lead=True,
                now=at,
            )
            continue
        task_complete(task_id=task.pk, user=who, now=at)
        if chance.random() < 0.25:
            task_annotate(
                task_id=task.pk,
                user=who,
                note="Done together in the weekly pairing session.",
                evidence_url=f"https://git.example.com/ml-platform/merge_requests/{task.pk}",
                revision=0,
                now=at + timedelta(minutes=5),
            )
    for target in plan.kpi_targets.all():
        _demo_measurements(target, members, kick_off, chance, now)


def _demo_measurements(
    target: KpiTarget, members: list[User], kick_off: datetime, chance: random.Random, now: datetime
) -> None:
    """A measurement every two to three days, moving from the baseline toward the target."""
    day = 1
    while day < DEMO_DAY:
        share = min(1.0, day / 24) ** 0.8
        value = target.baseline + (target.target - target.baseline) * share
        value *= 1 + chance.uniform(-0.04, 0.04)
        if target.unit == "percent":
            value = min(value, 100.0)
        if target.maximum is not None:
            value = min(value, target.maximum)
        value = max(value, target.minimum or 0.0)
        at = min(kick_off + timedelta(days=day - 1, hours=chance.randint(0, 7)), now)
        measurement_record(
            target=target,
            user=chance.choice(members),
            value=round(value, 1),
            measured_at=at,
            note="",
            now=at,
        )
        day += chance.choice([2, 3])
