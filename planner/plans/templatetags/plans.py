"""Pieces of plans that other areas' pages show: the team page's list of plans.

A template tag, so that the team page (teams, a lower layer) shows plans without its view
importing them.
"""

from __future__ import annotations

from typing import Any

from django import template

from planner.plans.selectors import team_plans as plans_of_team

register = template.Library()


@register.inclusion_tag("plans/team_plans.html")
def team_plans(team: Any, membership: Any) -> dict[str, Any]:
    return {"team": team, "membership": membership, "plans": list(plans_of_team(team.pk))}
