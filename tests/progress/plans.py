"""Running plans for progress tests: generated from a persona, started on a chosen day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from planner.accounts.models import User
from planner.assessment.examples import MANUAL
from planner.assessment.models import Assessment
from planner.plans.models import Plan, PlanStatus
from planner.plans.services import plan_generate
from planner.playbook.loader import get_playbook
from planner.reminders.schedule import decide
from planner.reminders.selectors import schedule_of
from planner.teams.models import Team

PLAYBOOK = get_playbook()


def team_today(team: Team, now: datetime | None = None) -> date:
    return team.today(now or timezone.now())


def running_plan(team: Team, lead: User, *, day: int = 3, now: datetime | None = None) -> Plan:
    """The manual persona's plan, started at `now` (the test's clock unless given) as plan
    day `day` in the team's time zone; its reminders count from its day 1, and the
    dispatcher looks at it next when one is due (now, if one is due already)."""
    now = now or timezone.now()
    assessment = Assessment.objects.create(
        team=team, created_by=lead, playbook_version=PLAYBOOK.version, answers=MANUAL
    )
    start = team_today(team, now) - timedelta(days=day - 1)
    plan = plan_generate(
        assessment=assessment,
        playbook=PLAYBOOK,
        user=lead,
        length=30,
        start=start,
        now=now - timedelta(days=day + 1),
    )
    Plan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.ACTIVE, start_date=start, started_at=now
    )
    plan.refresh_from_db()
    plan.reminders_from = team.start_of(start)
    decision = decide(schedule_of(plan), set(), now, plan.reminders_from)
    plan.next_reminder_at = now if decision.send or decision.skip else decision.next_at
    plan.save(update_fields=["reminders_from", "next_reminder_at"])
    return plan


def add_tasks(plan: Plan, count: int, assignees: list[User], *, done_share: float = 0.5) -> None:
    """`count` more tasks spread over the plan's days, about half of the past ones done,
    each change in the activity feed, as a busy plan would have them."""
    from decimal import Decimal

    from planner.plans.models import Activity, ActivityKind, PlanTask, TaskStatus

    today_day = (team_today(plan.team) - plan.start_date).days + 1 if plan.start_date else 0
    offset = plan.tasks.count()
    tasks = []
    for index in range(offset, offset + count):
        day = index % plan.length + 1
        phase = next(n for n, (f, last) in enumerate(plan.phases, 1) if f <= day <= last)
        done = day < today_day and (index % 100) < done_share * 100
        tasks.append(
            PlanTask(
                plan=plan,
                phase=phase,
                start_day=day,
                day=day,
                position=index,
                assignee=assignees[index % len(assignees)] if assignees else None,
                effort_hours=Decimal("2"),
                title={"en": f"Task {index}", "de": f"Aufgabe {index}"},
                status=TaskStatus.DONE if done else TaskStatus.OPEN,
                closed_at=timezone.now() - timedelta(days=1) if done else None,
            )
        )
    created = PlanTask.objects.bulk_create(tasks)
    Activity.objects.bulk_create(
        Activity(plan=plan, task=task, actor=task.assignee, kind=ActivityKind.DONE)
        for task in created
        if task.status == TaskStatus.DONE
    )
