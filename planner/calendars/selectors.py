"""Reads for calendar feeds: whose link it is, and what their calendars hold."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from planner.accounts.models import User
from planner.calendars.models import CalendarLink
from planner.plans.models import Plan, PlanStatus, PlanTask
from planner.teams.models import Membership, hash_token

SHOWN = (PlanStatus.ACTIVE, PlanStatus.PAUSED)  # plans with days on a calendar


def owner_of(token: str) -> User:
    """The person a calendar link belongs to; 404 for an unknown or reset one."""
    link = CalendarLink.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    if link is None or not link.user.is_active:
        raise Http404("No such calendar.")
    return link.user


def my_plans_and_tasks(user: User) -> tuple[QuerySet[Plan], QuerySet[PlanTask]]:
    """The running plans of the user's teams, and the tasks assigned to them in those."""
    plans = Plan.objects.filter(team__memberships__user=user, status__in=SHOWN).select_related(
        "team"
    )
    tasks = PlanTask.objects.filter(plan__in=plans, assignee=user).select_related("plan__team")
    return plans, tasks


def team_plans_and_tasks(
    user: User, team_slug: str
) -> tuple[str, QuerySet[Plan], QuerySet[PlanTask]]:
    """A team's running plans and all their tasks, for a member; 404 otherwise."""
    membership = (
        Membership.objects.select_related("team").filter(user=user, team__slug=team_slug).first()
    )
    if membership is None:
        raise Http404("No such team.")
    plans = Plan.objects.filter(team=membership.team, status__in=SHOWN).select_related("team")
    tasks = PlanTask.objects.filter(plan__in=plans).select_related("plan__team")
    return membership.team.name, plans, tasks
