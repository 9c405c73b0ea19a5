"""KPI cards: a target, where it stands and its recent trend (the dashboard, a KPI's page,
the reminder emails)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from planner.plans.models import KpiTarget, Plan
from planner.progress import charts
from planner.progress.models import KpiMeasurement
from planner.progress.standing import KpiStanding

TREND_POINTS = 12


@dataclass(frozen=True, slots=True)
class KpiCard:
    target: KpiTarget
    standing: KpiStanding
    measurements: list[tuple[float, datetime]]  # newest last
    spark: charts.Sparkline | None


def reached(cards: list[KpiCard]) -> int:
    """How many of the cards' targets are reached."""
    return sum(1 for card in cards if card.standing.reached)


def kpi_cards(plan: Plan) -> list[KpiCard]:
    """Every target of the plan with its last `TREND_POINTS` measurements, in two queries."""
    targets = list(plan.kpi_targets.all())
    ranked = (
        KpiMeasurement.objects.filter(target__plan=plan)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("target_id")],
                order_by=[F("measured_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=TREND_POINTS)
        .values_list("target_id", "value", "measured_at")
    )
    history: dict[int, list[tuple[float, datetime]]] = defaultdict(list)
    for target_id, value, measured_at in ranked:
        history[target_id].append((value, measured_at))
    cards = []
    for target in targets:
        measured = sorted(history.get(target.pk, []), key=lambda pair: pair[1])
        values = [value for value, _ in measured]
        standing = KpiStanding(
            direction=target.direction,
            baseline=target.baseline,
            target=target.target,
            latest=values[-1] if values else None,
            band=target.band,
        )
        # A trend needs two points: one measurement is shown as the latest value alone.
        spark = (
            charts.sparkline(values, target.baseline, target.target) if len(values) >= 2 else None
        )
        cards.append(KpiCard(target, standing, measured, spark))
    return cards
