"""My tasks and All my teams for a member of 20 teams against the same person in one team,
in the same run: the pages must not grow with tasks the person does not see.

Each team runs a plan of 300 tasks (as bench_dashboard builds them); the person has their
30 tasks in the first team and is a member of the other 19. Goal (issue 16): 20 teams cost
at most 1.5 times one team, a ratio of at least 0.67 here.
"""

from __future__ import annotations

from django.test import Client, override_settings

from benchmarks.bench_dashboard import _setup
from benchmarks.harness import Figure, compare, settle
from planner.teams.models import Membership, Role, Team

TEAMS = 20


def run() -> list[Figure]:
    _lead, person = _setup("bench-mine-0")
    _single_lead, single = _setup("bench-single")
    for number in range(1, TEAMS):
        _setup(f"bench-mine-{number}")
    others = Team.objects.filter(slug__startswith="bench-mine-").exclude(slug="bench-mine-0")
    Membership.objects.bulk_create(
        Membership(team=team, user=person, role=Role.ENGINEER) for team in others
    )
    assert Membership.objects.filter(user=person).count() == TEAMS
    settle()

    with override_settings(ROOT_URLCONF="benchmarks.bench_dashboard"):
        many, one = Client(), Client()
        many.force_login(person)
        one.force_login(single)

        def get(client: Client, url: str) -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return [
            compare(
                f"my tasks, member of {TEAMS} teams (300 tasks each)",
                lambda: get(many, "/"),
                "member of 1 team",
                lambda: get(one, "/"),
            ),
            compare(
                f"all my teams, member of {TEAMS} teams",
                lambda: get(many, "/teams/"),
                "member of 1 team",
                lambda: get(one, "/teams/"),
            ),
        ]
