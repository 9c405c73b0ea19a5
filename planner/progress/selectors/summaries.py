"""A running plan in a line: the plan bars of My tasks and the rows of All my teams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from planner.accounts.models import User
from planner.plans.days import plan_day
from planner.plans.models import Plan, PlanStatus
from planner.progress.selectors.facts import grouped_facts_by_plan
from planner.progress.standing import (
    PhaseProgress,
    Standing,
    current_phase,
    phase_progress,
    standing,
)


@dataclass(frozen=True, slots=True)
class PlanSummary:
    plan: Plan
    day: int
    phase: int | None
    standing: Standing
    phases: list[PhaseProgress]

    @property
    def current(self) -> PhaseProgress | None:
        return next((p for p in self.phases if p.state == "current"), None)


def active_plans_of(user: User) -> list[Plan]:
    return list(
        Plan.objects.select_related("team")
        .filter(status=PlanStatus.ACTIVE, team__memberships__user=user)
        .order_by("team__name")
    )


def plan_summaries(plans: list[Plan], now: datetime) -> list[PlanSummary]:
    """Each plan's standing and phases, from task counts and efforts summed in the database
    (the page's cost does not grow with the plans' tasks)."""
    facts = grouped_facts_by_plan(plans)
    summaries = []
    for plan in plans:
        today = plan.team.today(now)
        day = plan_day(plan.start_date, today) if plan.start_date else 0
        summaries.append(
            PlanSummary(
                plan=plan,
                day=day,
                phase=current_phase(plan.phases, day),
                standing=standing(facts[plan.pk], day, plan.length),
                phases=phase_progress(facts[plan.pk], plan.phases, day),
            )
        )
    return summaries
