"""On the real PostgreSQL: two leads stepping down at the same moment leave one lead."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from planner.teams import services
from planner.teams.models import Membership, Role
from tests.factories import MembershipFactory, TeamFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_at_once(*actions) -> list[BaseException | None]:
    barrier = threading.Barrier(len(actions))
    outcomes: list[BaseException | None] = [None] * len(actions)

    def run(index: int) -> None:
        try:
            barrier.wait()
            actions[index]()
        except BaseException as error:  # noqa: BLE001 - recorded for the assertion
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("repeat", range(5))
def test_two_leads_demoting_each_other_keep_one_lead(repeat):
    assert connection.vendor == "postgresql"
    team = TeamFactory.create()
    first = MembershipFactory.create(team=team, role=Role.LEAD)
    second = MembershipFactory.create(team=team, role=Role.LEAD)

    outcomes = _run_at_once(
        lambda: services.membership_change_role(membership=first, role=Role.ENGINEER),
        lambda: services.membership_remove(membership=second),
    )

    assert Membership.objects.filter(team=team, role=Role.LEAD).count() == 1
    refused = [o for o in outcomes if o is not None]
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
    outcomes = _run_at_once(
        lambda: services.invitation_accept(token="tok-race", user=user),
        lambda: services.invitation_accept(token="tok-race", user=user),
    )
    assert Membership.objects.filter(team=team, user=user).count() == 1
    assert sum(o is None for o in outcomes) == 1
