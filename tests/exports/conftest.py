"""A running plan with what exports must carry safely: German text, Markdown's own
characters and spreadsheet formulas in titles, notes and reasons, a done and a skipped
task, a measurement and the feed behind them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from planner.plans.models import Plan, PlanTask
from planner.progress.services import (
    measurement_record,
    task_annotate,
    task_complete,
    task_skip,
)
from tests.progress.plans import running_plan

# 10:00 in Zurich on Wednesday 10 February 2027, day 10 of a plan that began on 1 February.
NOW = datetime(2027, 2, 10, 9, 0, tzinfo=UTC)
TITLE = '=HYPERLINK("https://evil.example") Prüfung *wichtig* #1 | [x](javascript:y) <b>'
NOTE = "Grösse geprüft: <b>gut</b> & fertig\n- kein Listenpunkt\n1. keine Nummer\n=1+2"
REASON = "@SUM(1+1)*cmd|' /C calc'!A0 — Äpfel"
EVIDENCE = "https://ci.example.org/runs/42?tab=logs&x=<b>"


@pytest.fixture
def frozen() -> Iterator[datetime]:
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def plan(frozen: datetime, team: Any, lead: Any, engineer: Any) -> Plan:
    """The manual team's plan on day 10: the first task done by the engineer (with a note
    and evidence), the second skipped by the lead, one KPI measured."""
    engineer.name = "Jürg Müller"
    engineer.save(update_fields=["name"])
    plan = running_plan(team, lead, day=10)
    first, second = plan.tasks.order_by("day", "position", "pk")[:2]
    PlanTask.objects.filter(pk=first.pk).update(title={"en": TITLE, "de": TITLE}, assignee=engineer)
    PlanTask.objects.filter(pk=second.pk).update(assignee=lead)
    task_complete(task_id=first.pk, user=engineer, now=NOW - timedelta(days=2))
    task_annotate(
        task_id=first.pk,
        user=engineer,
        note=NOTE,
        evidence_url=EVIDENCE,
        revision=0,
        now=NOW - timedelta(days=2),
    )
    task_skip(
        task_id=second.pk, user=lead, reason=REASON, is_lead=True, now=NOW - timedelta(days=1)
    )
    target = plan.kpi_targets.order_by("pk").first()
    assert target is not None
    measurement_record(
        target=target,
        user=engineer,
        value=target.baseline,
        measured_at=NOW - timedelta(hours=2),
        note="erste Messung",
        now=NOW - timedelta(hours=1),
    )
    return plan


def tasks_in_order(plan: Plan) -> list[PlanTask]:
    return list(plan.tasks.select_related("assignee").order_by("day", "position", "pk"))
