"""Drafts generated the way a lead generates them, for the plan page tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from planner.assessment.examples import MANUAL
from planner.assessment.models import Assessment
from planner.plans.models import Plan
from planner.plans.services import plan_generate
from planner.playbook.loader import get_playbook


def generate_draft(
    team: Any, lead: Any, answers: dict[str, Any] = MANUAL, length: int = 30
) -> Plan:
    """A draft from answers, as the wizard makes it, starting on Monday 1 March 2027."""
    playbook = get_playbook()
    assessment = Assessment.objects.create(
        team=team, created_by=lead, playbook_version=playbook.version, answers=answers
    )
    return plan_generate(
        assessment=assessment, playbook=playbook, user=lead, length=length, start=date(2027, 3, 1)
    )


@pytest.fixture
def plan(team: Any, lead: Any) -> Plan:
    """The manual team's draft: four people at six hours a week, two of them in Planner."""
    return generate_draft(team, lead)
