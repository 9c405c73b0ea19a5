"""The plan generator: validated answers and options in, a phased plan draft out.

A pure function: no database, no request, no clock; the same input gives the same plan.
Tasks are selected by their area's maturity and their conditions, placed on days inside
their phase (prerequisites first), and spread across days and members by load. Every task
and KPI target carries a one-line "why" naming the answer that led to it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from planner.assessment.scoring import AreaScore, area_scores, gaps
from planner.plans.draft import (
    AreaMaturity,
    DraftKpiTarget,
    DraftTask,
    GeneratorOptions,
    Member,
    PlanDraft,
)
from planner.playbook.display import answer_text, number_text
from planner.playbook.loader import Playbook
from planner.playbook.rules import Answers, holds
from planner.playbook.schema import (
    AbsoluteTarget,
    BandTarget,
    Compare,
    Kpi,
    NumberQuestion,
    RelativeTarget,
    Task,
    Text,
)


def generate_plan(playbook: Playbook, answers: Answers, options: GeneratorOptions) -> PlanDraft:
    scores = area_scores(
        playbook, answers, targets=options.targets, not_applicable=options.not_applicable
    )
    selected = _select_tasks(playbook, answers, scores)
    layout = playbook.layouts[options.length].phases
    placed = _schedule(selected, layout, options.members)
    titles = {area.id: area.title for area in playbook.questionnaire.areas}
    return PlanDraft(
        playbook_version=playbook.version,
        start=options.start,
        length=options.length,
        phases=tuple(layout),
        maturity=tuple(
            AreaMaturity(
                area=s.area,
                title=titles[s.area],
                current=s.current,
                target=s.target,
                applicable=s.applicable,
            )
            for s in scores
        ),
        tasks=tuple(
            _draft_task(playbook, answers, task, reason, day, assignee, selected)
            for task, reason, day, assignee in placed
        ),
        kpi_targets=tuple(
            target
            for kpi in playbook.kpis
            if (target := _kpi_target(playbook, answers, kpi, scores)) is not None
        ),
    )


# --- Selection -------------------------------------------------------------------------

Reason = list[Compare] | AreaScore | None  # the answers, the maturity gap, or "every team"


def _select_tasks(
    playbook: Playbook, answers: Answers, scores: list[AreaScore]
) -> dict[str, tuple[Task, Reason]]:
    by_area = {score.area: score for score in scores}
    selected: dict[str, tuple[Task, Reason]] = {}
    for task in playbook.tasks:
        area = by_area[task.area]
        if not area.applicable:
            continue
        if task.kind == "build" and area.current >= area.target:
            continue
        if task.kind == "verify" and area.current < area.target:
            continue
        witnesses = holds(task.when, answers) if task.when is not None else []
        if witnesses is None:
            continue
        reason: Reason = witnesses or (area if task.kind != "core" else None)
        selected[task.id] = (task, reason)
    return selected


# --- Scheduling ------------------------------------------------------------------------


def _ordered(selected: dict[str, tuple[Task, Reason]]) -> list[str]:
    """Phase by phase, prerequisites first, catalogue order among equals (deterministic)."""
    catalogue_order = {task_id: index for index, task_id in enumerate(selected)}
    pending = {
        task_id: {p for p in task.prerequisites if p in selected}
        for task_id, (task, _reason) in selected.items()
    }
    order: list[str] = []
    while pending:
        ready = [task_id for task_id, needs in pending.items() if not needs]
        # The loader refuses cycles, so there is always a ready task.
        chosen = min(ready, key=lambda t: (selected[t][0].phase, catalogue_order[t]))
        order.append(chosen)
        del pending[chosen]
        for needs in pending.values():
            needs.discard(chosen)
    return order


def _schedule(
    selected: dict[str, tuple[Task, Reason]],
    layout: Iterable[tuple[int, int]],
    members: Iterable[Member],
) -> list[tuple[Task, Reason, int, int | None]]:
    phases = list(layout)
    team = sorted(members, key=lambda m: m.id)
    day_load: dict[int, float] = {}
    member_load: dict[int, float] = {m.id: 0.0 for m in team}
    day_of: dict[str, int] = {}
    placed = []
    for task_id in _ordered(selected):
        task, reason = selected[task_id]
        first, last = phases[task.phase - 1]
        after = [day_of[p] for p in task.prerequisites if p in day_of]
        # A dependant starts the day after its last prerequisite, when its phase has room.
        earliest = min(last, max([first, *(d + 1 for d in after)]))
        earliest = max([earliest, *after])
        day = min(range(earliest, last + 1), key=lambda d: (day_load.get(d, 0.0), d))
        day_load[day] = day_load.get(day, 0.0) + task.effort_hours
        assignee = None
        if team:
            chosen = min(team, key=lambda m: (member_load[m.id] / m.weekly_hours, m.id))
            member_load[chosen.id] += task.effort_hours
            assignee = chosen.id
        day_of[task_id] = day
        placed.append((task, reason, day, assignee))
    # By day; within a day, in scheduling order, so prerequisites still come first.
    return [item for _, item in sorted(enumerate(placed), key=lambda pair: (pair[1][2], pair[0]))]


# --- Why lines -------------------------------------------------------------------------


def _why(
    playbook: Playbook, answers: Answers, base: Text, reason: Reason
) -> tuple[Text, tuple[str, ...]]:
    if isinstance(reason, list):
        question_ids = tuple(dict.fromkeys(c.question for c in reason))
        parts = [
            (playbook.questions[q].label, answer_text(playbook.questions[q], answers.get(q)))
            for q in question_ids
        ]
        return (
            Text(
                en=f"{base.en} You answered "
                + "; ".join(f"«{answer.en}» to «{label.en}»" for label, answer in parts)
                + ".",
                de=f"{base.de} Ihre Antwort: "
                + "; ".join(f"«{answer.de}» auf «{label.de}»" for label, answer in parts)
                + ".",
            ),
            question_ids,
        )
    if isinstance(reason, AreaScore):
        area = next(a for a in playbook.questionnaire.areas if a.id == reason.area)
        if reason.current < reason.target:
            # Name the weakest answer of the area: the one that holds its level down.
            weakest = min(
                (g for g in gaps(playbook, answers, [reason]) if g.area == reason.area),
                key=lambda g: g.score,
                default=None,
            )
            detail_en = detail_de = ""
            weakest_ids: tuple[str, ...] = ()
            if weakest is not None:
                question = playbook.questions[weakest.question]
                answer = answer_text(question, answers.get(question.id))
                detail_en = f" You answered «{answer.en}» to «{question.label.en}»."
                detail_de = f" Ihre Antwort: «{answer.de}» auf «{question.label.de}»."
                weakest_ids = (question.id,)
            note = Text(
                en=f"Your answers put {area.title.en} at level {reason.current} of 4; "
                f"the target is {reason.target}.{detail_en}",
                de=f"Ihre Antworten ergeben für {area.title.de} Stufe {reason.current} von 4; "
                f"das Ziel ist {reason.target}.{detail_de}",
            )
            return Text(en=f"{base.en} {note.en}", de=f"{base.de} {note.de}"), weakest_ids
        else:
            note = Text(
                en=f"Your answers put {area.title.en} at level {reason.current} of 4, "
                f"already at its target: a short check instead of build work.",
                de=f"Ihre Antworten ergeben für {area.title.de} Stufe {reason.current} von 4, "
                f"das Ziel ist erreicht: eine kurze Prüfung statt Aufbauarbeit.",
            )
        return Text(en=f"{base.en} {note.en}", de=f"{base.de} {note.de}"), ()
    return (
        Text(
            en=f"{base.en} Every team does this step of the plan.",
            de=f"{base.de} Diesen Schritt macht jedes Team.",
        ),
        (),
    )


def _draft_task(
    playbook: Playbook,
    answers: Answers,
    task: Task,
    reason: Reason,
    day: int,
    assignee: int | None,
    selected: dict[str, tuple[Task, Reason]],
) -> DraftTask:
    why, question_ids = _why(playbook, answers, task.why, reason)
    return DraftTask(
        task_id=task.id,
        area=task.area,
        phase=task.phase,
        day=day,
        assignee=assignee,
        effort_hours=task.effort_hours,
        title=task.title,
        description=task.description,
        steps=tuple(task.steps),
        evidence=task.evidence,
        why=why,
        prerequisites=tuple(p for p in task.prerequisites if p in selected),
        answers=question_ids,
    )


# --- KPI targets -----------------------------------------------------------------------


def kpi_target_value(kpi: Kpi, baseline: float, integer: bool = False) -> float:
    """The target for a baseline: never worse than the baseline, inside a band if one."""
    rule = kpi.target
    if isinstance(rule, RelativeTarget):
        raw = baseline * rule.factor
    elif isinstance(rule, AbsoluteTarget):
        raw = min(baseline, rule.value) if kpi.direction == "lower" else max(baseline, rule.value)
    elif isinstance(rule, BandTarget):
        raw = min(max(baseline, rule.low), rule.high)
    else:  # pragma: no cover - the union is closed
        raise TypeError(rule)
    if kpi.unit == "percent":
        raw = min(raw, 100.0)
    if integer:
        # Round toward the better direction, but never past the baseline.
        raw = math.floor(raw) if kpi.direction == "lower" else math.ceil(raw)
        if kpi.direction == "higher" and isinstance(rule, RelativeTarget) and raw <= baseline:
            raw = baseline + 1  # doubling zero deployments is still zero: ask for one more
        return float(raw)
    rounded = round(raw, 2) if raw >= 1 else round(raw, 4)
    # Rounding must never make a target worse than its baseline (or leave its band).
    if kpi.direction == "lower":
        return min(rounded, baseline)
    if kpi.direction == "higher":
        return max(rounded, baseline)
    if not isinstance(rule, BandTarget):  # pragma: no cover - the schema pairs them
        raise TypeError(f"KPI {kpi.id}: a band direction needs a band target")
    return min(max(rounded, rule.low), rule.high)


def _kpi_target(
    playbook: Playbook, answers: Answers, kpi: Kpi, scores: list[AreaScore]
) -> DraftKpiTarget | None:
    area = next(s for s in scores if s.area == kpi.area)
    baseline = answers.get(kpi.baseline_question)
    question = playbook.questions[kpi.baseline_question]
    if not area.applicable or not isinstance(baseline, (int, float)):
        return None
    integer = isinstance(question, NumberQuestion) and question.integer
    target = kpi_target_value(kpi, float(baseline), integer=integer)
    told = number_text(baseline, kpi.unit)
    return DraftKpiTarget(
        kpi_id=kpi.id,
        area=kpi.area,
        title=kpi.title,
        unit=kpi.unit,
        direction=kpi.direction,
        baseline=float(baseline),
        target=target,
        why=Text(
            en=f"{kpi.target.explanation.en} Baseline from your answer: {told.en}.",
            de=f"{kpi.target.explanation.de} Ausgangswert aus Ihrer Antwort: {told.de}.",
        ),
        source=kpi.target.source,
        minimum=question.minimum if isinstance(question, NumberQuestion) else None,
        maximum=question.maximum if isinstance(question, NumberQuestion) else None,
        band_low=kpi.target.low if isinstance(kpi.target, BandTarget) else None,
        band_high=kpi.target.high if isinstance(kpi.target, BandTarget) else None,
    )
