"""Path parameters and lookups every endpoint shares: the team and the plan, for the caller."""

from __future__ import annotations

from typing import Annotated

from django.http import Http404
from ninja import Path

from planner.plans.models import Plan, PlanStatus
from planner.plans.selectors import plan_of_team
from planner.teams.models import Membership

TeamSlug = Annotated[
    str,
    Path(
        description="The team's short name, as in its page's address.",
        pattern=r"^[-a-zA-Z0-9_]{1,60}$",
    ),
]
PlanRef = Annotated[
    str,
    Path(
        description="A plan's id, or `active` for the team's running (or paused) plan.",
        pattern=r"^(active|[1-9][0-9]{0,8})$",
    ),
]
TaskId = Annotated[int, Path(ge=1, le=2_147_483_647)]
KpiId = Annotated[str, Path(pattern=r"^[a-z0-9_]{1,60}$", description="e.g. `p95_latency_ms`")]


def plan_for(membership: Membership, plan: str) -> Plan:
    """The team's plan by id, or its running one for `active`; 404 otherwise."""
    if plan == "active":
        running = (
            Plan.objects.select_related("team")
            .filter(team_id=membership.team_id, status__in=[PlanStatus.ACTIVE, PlanStatus.PAUSED])
            .first()
        )
        if running is None:
            raise Http404("The team has no running plan.")
        return running
    return plan_of_team(membership.team_id, int(plan))
