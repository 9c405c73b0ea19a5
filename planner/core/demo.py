"""Demo data for `make run`: one team, its lead, two engineers and a started plan.

Safe to load twice."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from planner.accounts.models import User
from planner.assessment.examples import IAC_NO_MONITORING
from planner.assessment.models import Assessment
from planner.plans.models import Plan, PlanStatus
from planner.plans.services import plan_generate, plan_start
from planner.playbook.loader import get_playbook
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


def _demo_plan(team: Team, lead: User) -> None:
    """A started plan from the "IaC but no monitoring" example, unless the team has one."""
    if Plan.objects.filter(team=team, status=PlanStatus.ACTIVE).exists():
        return
    playbook = get_playbook()
    assessment = Assessment.objects.create(
        team=team,
        created_by=lead,
        playbook_version=playbook.version,
        answers=IAC_NO_MONITORING,
    )
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(team.time_zone))
    plan = plan_generate(
        assessment=assessment, playbook=playbook, user=lead, length=30, start=today
    )
    plan_start(plan=plan, start_date=today, today=today)
