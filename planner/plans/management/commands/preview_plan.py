"""Print the plan the generator makes for an example team, as a practitioner reads it:
tasks by phase with their days, people and hours, the load of each person and week
against their capacity, the backlog with its reasons, and the KPI targets with their why.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from planner.assessment.answers import validate_answers
from planner.assessment.examples import PERSONAS
from planner.plans.draft import GeneratorOptions, Member, PlanDraft
from planner.plans.generator import generate_plan
from planner.plans.scheduling import Span, week_capacity, week_loads, weeks
from planner.playbook.loader import get_playbook


class Command(BaseCommand):
    help = "Print the generated plan of an example team (see planner.assessment.examples)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("persona", choices=sorted(PERSONAS))
        parser.add_argument("--length", type=int, choices=[14, 30], default=30)
        parser.add_argument("--members", type=int, help="people in Planner (default: team size)")
        parser.add_argument("--team-size", type=int, help="the answer to 'people on the plan'")
        parser.add_argument("--hours", type=float, help="the answer to 'hours per person'")
        parser.add_argument("--language", choices=["en", "de"], default="en")

    def handle(self, *args: Any, **options: Any) -> None:
        playbook = get_playbook()
        raw = dict(PERSONAS[options["persona"]])
        if options["team_size"] is not None:
            raw["team_size"] = options["team_size"]
        if options["hours"] is not None:
            raw["hours_per_week"] = options["hours"]
        result = validate_answers(playbook, raw)
        if not result.ok:
            raise CommandError(f"Invalid answers: {result.errors}")
        answers = result.answers
        size_answer, hours_answer = answers.get("team_size"), answers.get("hours_per_week")
        size = int(size_answer) if isinstance(size_answer, int | float) else 1
        hours = float(hours_answer) if isinstance(hours_answer, int | float) else 4.0
        named = size if options["members"] is None else options["members"]
        members = tuple(Member(id=i, name=f"P{i}", weekly_hours=hours) for i in range(1, named + 1))
        plan = generate_plan(
            playbook,
            answers,
            GeneratorOptions(
                start=date(2027, 3, 1),
                length=options["length"],
                members=members,
                open_seats=(hours,) * max(size - named, 0),
            ),
        )
        self._print(plan, options["language"])

    def _print(self, plan: PlanDraft, language: str) -> None:
        out = self.stdout.write
        capacity = sum(s.weekly_hours for s in plan.seats) * plan.length / 7
        planned = sum(t.effort_hours for t in plan.tasks)
        waiting = sum(t.effort_hours for t in plan.backlog)
        out(
            f"{len(plan.seats)} people, {capacity:.0f} h of capacity in {plan.length} days; "
            f"{planned:.0f} h planned in {len(plan.tasks)} tasks, "
            f"{waiting:.0f} h in the backlog ({len(plan.backlog)} tasks)"
        )
        for number, (first, last) in enumerate(plan.phases, 1):
            tasks = [t for t in plan.tasks if t.phase == number]
            out(f"\nPhase {number}, days {first}-{last}: {sum(t.effort_hours for t in tasks):g} h")
            for t in tasks:
                who = f"P{t.assignee}" if t.assignee is not None else "open"
                days = f"{t.start_day}-{t.day}" if t.start_day != t.day else f"{t.day}"
                after = f"  after {', '.join(t.prerequisites)}" if t.prerequisites else ""
                out(f"  days {days:>5}  {who:>4}  {t.effort_hours:>4g} h  {t.task_id}{after}")
        out("\nHours per person and week (capacity):")
        spans = [Span(t.assignee, t.start_day, t.day, t.effort_hours) for t in plan.tasks]
        loads = week_loads(spans, plan.length)
        seen: set[int | None] = set()
        for seat in plan.seats:
            if seat.member in seen:
                continue
            seen.add(seat.member)
            count = sum(1 for s in plan.seats if s.member == seat.member)
            limit = [c * count for c in week_capacity(seat.weekly_hours, plan.length)]
            row = loads.get(seat.member, [0.0] * len(weeks(plan.length)))
            name = f"P{seat.member}" if seat.member is not None else f"open x{count}"
            cells = "  ".join(f"{h:4.1f}/{c:4.1f}" for h, c in zip(row, limit, strict=True))
            out(f"  {name:>8}  {cells}")
        if plan.backlog:
            core = [b for b in plan.backlog if get_playbook().task(b.task_id).priority == 1]
            out(f"\nBacklog ({len(core)} of the article's core steps among it):")
            for b in plan.backlog:
                why = f" (waits for {b.waiting_for})" if b.waiting_for else ""
                mark = " [core]" if b in core else ""
                out(
                    f"  phase {b.phase}  {b.effort_hours:>4g} h  {b.task_id}: {b.reason}{why}{mark}"
                )
        out("\nKPI targets:")
        for k in plan.kpi_targets:
            out(f"  {k.kpi_id}: {k.baseline:g} -> {k.target:g} {k.unit}. {k.why.get(language)}")
