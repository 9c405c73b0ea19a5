"""Plan generation against answer validation, each timed by its median over many runs."""

from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Callable
from datetime import date

from benchmarks.harness import Figure
from planner.assessment.answers import validate_answers
from planner.assessment.examples import PERSONAS
from planner.plans.draft import GeneratorOptions, Member
from planner.plans.generator import generate_plan
from planner.playbook.loader import get_playbook


def _median_ms(action: Callable[[], object], runs: int = 300) -> float:
    for _ in range(20):
        action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def run() -> list[Figure]:
    playbook = get_playbook()
    raw = PERSONAS["manual"]
    answers = validate_answers(playbook, raw).answers
    validate = _median_ms(lambda: validate_answers(playbook, raw))
    figures = []
    # The largest team the generator is tested with (12 people), at the hours that make
    # scheduling work hardest (little room: every task is tried on everyone), and a small one.
    for people, hours in ((12, 6), (4, 6)):
        options = GeneratorOptions(
            start=date(2027, 3, 1),
            members=tuple(Member(id=i, name=f"m{i}", weekly_hours=hours) for i in range(1, 7)),
            open_seats=(hours,) * (people - 6) if people > 6 else (),
        )
        if people < 6:
            options = options.model_copy(update={"members": options.members[:people]})
        generate = _median_ms(functools.partial(generate_plan, playbook, answers, options))
        # Figures are rates: plans per second against validations per second.
        figures.append(
            Figure(
                f"generate a 30-day plan, {people} people at {hours} h (median {generate:.2f} ms)",
                1000 / generate,
                f"validate the answers (median {validate:.2f} ms)",
                1000 / validate,
                unit="per s",
            )
        )
    return figures
