"""On the real PostgreSQL: two leads stepping down at the same moment leave one lead."""

from __future__ import annotations

import pytest
from django.db import connection

from planner.teams import services
from planner.teams.models import Membership, Role
from tests.factories import MembershipFactory, TeamFactory
from tests.integration.threads import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("repeat", range(5))
def test_two_leads_demoting_each_other_keep_one_lead(repeat):
    assert connection.vendor == "postgresql"
    team = TeamFactory.create()
    first = MembershipFactory.create(team=team, role=Role.LEAD)
    second = MembershipFactory.create(team=team, role=Role.LEAD)

    outcomes = run_at_once(
        lambda: services.membership_change_role(membership=first, role=Role.ENGINEER),
        lambda: services.membership_remove(membership=second),
    )

    assert Membership.objects.filter(team=team, role=Role.LEAD).count() == 1
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(refused) == 1
    assert isinstance(refused[0], services.TeamRuleError)


def test_invitation_accepted_twice_at_once_joins_once():
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import InvitationFactory, UserFactory

    team = TeamFactory.create()
    user = UserFactory.create(email="twice@example.org")
    InvitationFactory.create(
        team=team,
        email=user.email,
        token="tok-race",
        expires_at=timezone.now() + timedelta(days=1),
    )
    outcomes = run_at_once(
        lambda: services.invitation_accept(token="tok-race", user=user),
        lambda: services.invitation_accept(token="tok-race", user=user),
    )
    assert Membership.objects.filter(team=team, user=user).count() == 1
    assert sum(not isinstance(o, BaseException) for o in outcomes) == 1
