"""The plan generator: validated answers and options in, a phased plan draft out.

A pure function: no database, no request, no clock; the same input gives the same plan.
Tasks are selected by their area's maturity and their conditions, ranked (the phase's core
work first, then by priority and the size of their area's gap), and placed within the
team's capacity by `scheduling`; what does not fit is kept in the backlog with the reason.
Every task and KPI target carries a one-line "why" naming the answer that led to it.
"""

from __future__ import annotations

import math
from typing import Any

from planner.assessment.scoring import AreaScore, area_scores, gaps
from planner.plans import scheduling
from planner.plans.draft import (
    AreaMaturity,
    DraftBacklogTask,
    DraftKpiTarget,
    DraftTask,
    GeneratorOptions,
    PlanDraft,
    Seat,
)
from planner.playbook.display import answer_text, number_text
from planner.playbook.loader import Playbook
from planner.playbook.rules import Answers, AnswerValue, holds
from planner.playbook.schema import (
    AbsoluteTarget,
    BandTarget,
    Compare,
    Effect,
    HoldTarget,
    Kpi,
    MultipleChoiceQuestion,
    NumberQuestion,
    Question,
    RelativeTarget,
    Task,
    Text,
)


def generate_plan(playbook: Playbook, answers: Answers, options: GeneratorOptions) -> PlanDraft:
    scores = area_scores(
        playbook, answers, targets=options.targets, not_applicable=options.not_applicable
    )
    selected = select_tasks(playbook, answers, scores)
    layout = playbook.layouts[options.length].phases
    seats = _seats(options)
    planned = scheduling.schedule(_jobs(selected, scores, options.length), layout, seats)
    titles = {area.id: area.title for area in playbook.questionnaire.areas}
    # By day, then in placing order, so that prerequisites still come first on a day.
    placed = sorted(planned.placed, key=lambda p: (p.end, p.start))
    contents = {  # once per task, however many people share it
        task_id: _content(playbook, answers, task, reason, selected, options.length)
        for task_id, (task, reason) in selected.items()
    }
    in_plan = {p.id for p in planned.placed}
    in_backlog = {d.id for d in planned.backlog}
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
            DraftTask(
                **{
                    **_carried(contents[p.id], p.phase),
                    # A shared task's part: its share of the hours.
                    "effort_hours": round(p.effort, 1),
                },
                start_day=p.start,
                day=p.end,
                assignee=seats[p.seat].member,
                part=p.part,
                parts=p.parts,
            )
            for p in placed
        ),
        backlog=tuple(
            DraftBacklogTask(
                **contents[d.id],
                reason=d.reason,
                waiting_for=d.waiting_for,
            )
            for d in planned.backlog
        ),
        seats=tuple(Seat(member=s.member, weekly_hours=s.weekly_hours) for s in seats),
        kpi_targets=tuple(
            target
            for kpi in playbook.kpis
            if (
                target := _kpi_target(
                    playbook,
                    answers,
                    kpi,
                    scores,
                    in_plan,
                    in_backlog,
                )
            )
            is not None
        ),
    )


# --- Selection -------------------------------------------------------------------------

Reason = list[Compare] | AreaScore | None  # the answers, the maturity gap, or "every team"


def select_tasks(
    playbook: Playbook, answers: Answers, scores: list[AreaScore]
) -> dict[str, tuple[Task, Reason]]:
    """The catalogue tasks this team needs, with what selected each, in catalogue order."""
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


def _seats(options: GeneratorOptions) -> list[scheduling.Seat]:
    named = sorted(options.members, key=lambda m: m.id)
    return [scheduling.Seat(m.id, m.weekly_hours) for m in named] + [
        scheduling.Seat(None, hours) for hours in options.open_seats
    ]


def _jobs(
    selected: dict[str, tuple[Task, Reason]], scores: list[AreaScore], length: int
) -> list[scheduling.Job]:
    """The selected tasks, ranked: by priority, the phase's core work first among equals,
    then the tasks of the areas furthest from their target, then in catalogue order."""
    gap = {s.area: max(s.target - s.current, 0) for s in scores}
    return [
        scheduling.Job(
            id=task.id,
            phase=task.phase,
            effort=task.effort_for(length),
            prerequisites=tuple(p for p in task.prerequisites if p in selected),
            rank=(task.priority, 0 if task.kind == "core" else 1, -gap[task.area], index),
            anchored=task.anchor == "phase_end",
            max_parts=task.max_parts,
        )
        for index, (task, _reason) in enumerate(selected.values())
    ]


def _carried(content: dict[str, Any], phase: int) -> dict[str, Any]:
    """A task carried into a later phase says so: its own phase's hours were taken."""
    own = content["phase"]
    if phase == own:
        return content
    why: Text = content["why"]
    return {
        **content,
        "phase": phase,
        "why": Text(
            en=f"{why.en} Moved from phase {own}, whose hours the plan's other work took, "
            f"to phase {phase}, before the work that needs it.",
            de=f"{why.de} Aus Phase {own}, deren Stunden andere Aufgaben belegen, in "
            f"Phase {phase} verschoben, vor die Arbeit, die darauf aufbaut.",
        ),
    }


# --- Why lines -------------------------------------------------------------------------


Said = tuple[str, str]  # a sentence in English and German, before it becomes a Text


def _said(playbook: Playbook, answers: Answers, compare: Compare) -> Said:
    """One answer behind a task, in words: what was picked, left out or answered."""
    question = playbook.questions[compare.question]
    label = question.label
    if compare.op in ("includes", "excludes") and isinstance(question, MultipleChoiceQuestion):
        choice = next(c.label for c in question.choices if c.id == compare.value)
        if compare.op == "excludes":
            return (
                f"You did not pick «{choice.en}» for «{label.en}».",
                f"Bei «{label.de}» haben Sie «{choice.de}» nicht gewählt.",
            )
        return (
            f"You picked «{choice.en}» for «{label.en}».",
            f"Bei «{label.de}» haben Sie «{choice.de}» gewählt.",
        )
    if compare.op == "unanswered":
        return (f"You left «{label.en}» open.", f"«{label.de}» haben Sie offen gelassen.")
    answer = answer_text(question, answers.get(question.id))
    return (
        f"You answered «{answer.en}» to «{label.en}».",
        f"Auf «{label.de}» haben Sie «{answer.de}» geantwortet.",
    )


def _gap_said(question: Question, answer: AnswerValue) -> Said:
    """The weakest answer of an area as a gap: for a multiple choice, what is missing
    (not what the team already has)."""
    if isinstance(question, MultipleChoiceQuestion):
        chosen = answer if isinstance(answer, list) else []
        missing = [c.label for c in question.choices if c.score and c.id not in chosen]
        if len(missing) == 1:
            return (
                f"You did not pick «{missing[0].en}» for «{question.label.en}».",
                f"Bei «{question.label.de}» haben Sie «{missing[0].de}» nicht gewählt.",
            )
        if missing:
            first_en = ", ".join(f"«{m.en}»" for m in missing[:-1])
            first_de = ", ".join(f"«{m.de}»" for m in missing[:-1])
            return (
                f"You picked none of {first_en} or «{missing[-1].en}» for «{question.label.en}».",
                f"Bei «{question.label.de}» haben Sie weder {first_de} noch "
                f"«{missing[-1].de}» gewählt.",
            )
    shown = answer_text(question, answer)
    return (
        f"You answered «{shown.en}» to «{question.label.en}».",
        f"Auf «{question.label.de}» haben Sie «{shown.de}» geantwortet.",
    )


def _why(
    playbook: Playbook, answers: Answers, base: Text, reason: Reason
) -> tuple[Text, tuple[str, ...]]:
    """The task's own why, then the gap that selected it: the answers its condition
    holds on, the weakest answer of an area below its target, or "every team"."""
    if isinstance(reason, list):
        unique = {
            (compare.question, compare.op, str(compare.value)): compare for compare in reason
        }.values()
        said = list(dict.fromkeys(_said(playbook, answers, compare) for compare in unique))
        return (
            Text(
                en=" ".join([base.en, *(en for en, _de in said)]),
                de=" ".join([base.de, *(de for _en, de in said)]),
            ),
            tuple(dict.fromkeys(c.question for c in reason)),
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
                gap_en, gap_de = _gap_said(question, answers.get(question.id))
                detail_en, detail_de = f" {gap_en}", f" {gap_de}"
                weakest_ids = (question.id,)
            note = Text(
                en=f"Your answers put «{area.title.en}» at level {reason.current} of 4; "
                f"the target is level {reason.target}.{detail_en}",
                de=f"Nach Ihren Antworten steht «{area.title.de}» auf Stufe {reason.current} "
                f"von 4; das Ziel ist Stufe {reason.target}.{detail_de}",
            )
            return Text(en=f"{base.en} {note.en}", de=f"{base.de} {note.de}"), weakest_ids
        note = Text(
            en=f"Your answers put «{area.title.en}» at level {reason.current} of 4, "
            "already at its target: a short check instead of build work.",
            de=f"Nach Ihren Antworten steht «{area.title.de}» auf Stufe {reason.current} "
            "von 4 und damit am Ziel: eine kurze Prüfung statt Aufbauarbeit.",
        )
        return Text(en=f"{base.en} {note.en}", de=f"{base.de} {note.de}"), ()
    return (
        Text(
            en=f"{base.en} Every team does this step of the plan.",
            de=f"{base.de} Diesen Schritt macht jedes Team.",
        ),
        (),
    )


def _content(
    playbook: Playbook,
    answers: Answers,
    task: Task,
    reason: Reason,
    selected: dict[str, tuple[Task, Reason]],
    length: int,
) -> dict[str, Any]:
    """A selected task's texts and facts, as a plan (of `length` days) or its backlog
    holds them."""
    why, question_ids = _why(playbook, answers, task.why, reason)
    return {
        "task_id": task.id,
        "area": task.area,
        "phase": task.phase,
        "effort_hours": task.effort_for(length),
        "title": task.title,
        "description": task.description,
        "steps": tuple(task.steps),
        "evidence": task.evidence,
        "why": why,
        "prerequisites": tuple(p for p in task.prerequisites if p in selected),
        "answers": question_ids,
    }


# --- KPI targets -----------------------------------------------------------------------


def planned_effects(kpi: Kpi, tasks: set[str]) -> list[Effect]:
    """The effects on a KPI that the given tasks bring."""
    rule = kpi.target
    if isinstance(rule, HoldTarget):
        return []
    return [effect for effect in rule.effects if tasks.intersection(effect.tasks)]


def kpi_target_value(
    kpi: Kpi, baseline: float, effects: list[Effect], integer: bool = False
) -> float:
    """The target for a baseline, from the effects of the work a plan adds: the baseline
    where none counts, never worse than the baseline, inside a band if one."""
    rule = kpi.target
    if not effects or isinstance(rule, HoldTarget):
        return baseline
    if isinstance(rule, RelativeTarget):
        factor = math.prod(effect.factor or 1 for effect in effects)
        factor = max(factor, rule.limit) if kpi.direction == "lower" else min(factor, rule.limit)
        raw = baseline * factor
    elif isinstance(rule, AbsoluteTarget):
        raw = min(baseline, rule.value) if kpi.direction == "lower" else max(baseline, rule.value)
    else:
        raw = min(max(baseline, rule.low), rule.high)
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


def _listed(texts: list[Text]) -> Text:
    """«a», «a» and «b», «a», «b» and «c», in both languages."""

    def join(items: list[str], word: str) -> str:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} " + items[-1]

    return Text(en=join([t.en for t in texts], "and"), de=join([t.de for t in texts], "und"))


def _target_why(
    kpi: Kpi, planned: list[Effect], waiting: list[Effect], would_be: float, told: Text
) -> Text:
    """Why this target: the techniques it counts on with their published effect, or why
    the plan holds the baseline."""
    rule = kpi.target
    baseline = Text(
        en=f"Baseline from your answer: {told.en}.",
        de=f"Ausgangswert aus Ihrer Antwort: {told.de}.",
    )
    if isinstance(rule, HoldTarget):
        return Text(
            en=f"{rule.explanation.en} {baseline.en}", de=f"{rule.explanation.de} {baseline.de}"
        )
    if planned:
        counted = _listed(
            [
                Text(
                    en=f"{e.technique.en} ({e.published.en})",
                    de=f"{e.technique.de} ({e.published.de})",
                )
                for e in planned
            ]
        )
        return Text(
            en=f"{rule.explanation.en} This plan counts on {counted.en}. {baseline.en}",
            de=f"{rule.explanation.de} Der Plan setzt auf {counted.de}. {baseline.de}",
        )
    if waiting:
        names = _listed([e.technique for e in waiting])
        aim = number_text(would_be, kpi.unit)
        return Text(
            en="The work that would change it waits in the backlog, so the plan holds the "
            f"baseline. Pulled in, the plan counts on {names.en}: aim for {aim.en} then. "
            f"{baseline.en}",
            de="Die Arbeit, die diesen Wert verändern würde, wartet im Backlog; der Plan hält "
            "deshalb den Ausgangswert. Holen Sie sie in den Plan, setzt er auf "
            f"{names.de}: Zielen Sie dann auf {aim.de}. {baseline.de}",
        )
    return Text(
        en="Nothing in this plan changes it: what would is already in place or does not "
        f"apply to your team, so hold the baseline. {baseline.en}",
        de="Keine Aufgabe dieses Plans verändert diesen Wert: Was ihn verbessern würde, ist "
        f"bereits umgesetzt oder betrifft Ihr Team nicht; halten Sie den Ausgangswert. "
        f"{baseline.de}",
    )


def target_for(
    playbook: Playbook, kpi: Kpi, baseline: float, planned_tasks: set[str], backlog_tasks: set[str]
) -> tuple[float, Text, str]:
    """A KPI's target for a baseline and the tasks a plan and its backlog hold: the value,
    why, and the sources it counts on. Also used when a lead moves work in or out."""
    question = playbook.questions[kpi.baseline_question]
    integer = isinstance(question, NumberQuestion) and question.integer
    planned = planned_effects(kpi, planned_tasks)
    waiting = planned_effects(kpi, backlog_tasks)
    target = kpi_target_value(kpi, baseline, planned, integer=integer)
    would_be = kpi_target_value(kpi, baseline, planned + waiting, integer=integer)
    why = _target_why(kpi, planned, waiting, would_be, number_text(baseline, kpi.unit))
    source = "; ".join(dict.fromkeys(e.source for e in planned)) or kpi.target.source
    return target, why, source


def _kpi_target(
    playbook: Playbook,
    answers: Answers,
    kpi: Kpi,
    scores: list[AreaScore],
    planned_tasks: set[str],
    backlog_tasks: set[str],
) -> DraftKpiTarget | None:
    area = next(s for s in scores if s.area == kpi.area)
    baseline = answers.get(kpi.baseline_question)
    question = playbook.questions[kpi.baseline_question]
    if not area.applicable or not isinstance(baseline, (int, float)):
        return None
    target, why, source = target_for(playbook, kpi, float(baseline), planned_tasks, backlog_tasks)
    rule = kpi.target
    return DraftKpiTarget(
        kpi_id=kpi.id,
        area=kpi.area,
        title=kpi.title,
        unit=kpi.unit,
        direction=kpi.direction,
        baseline=float(baseline),
        target=target,
        why=why,
        source=source,
        minimum=question.minimum if isinstance(question, NumberQuestion) else None,
        maximum=question.maximum if isinstance(question, NumberQuestion) else None,
        band_low=rule.low if isinstance(rule, BandTarget) else None,
        band_high=rule.high if isinstance(rule, BandTarget) else None,
    )
