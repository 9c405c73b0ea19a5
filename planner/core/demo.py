"""Demo data for `make run`: one team, its lead and two engineers. Safe to load twice."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from planner.accounts.models import User
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
    return team
