"""Reads the playbook's YAML files, validates them, and checks every cross-reference.

A broken file fails start-up (see `PlaybookConfig.ready`) and the tests with a message
that names the file, the entry and the field.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from planner.playbook.rules import leaves
from planner.playbook.schema import (
    Compare,
    Kpi,
    KpiCatalogue,
    MultipleChoiceQuestion,
    NumberQuestion,
    Phase,
    PlanLayout,
    PlanStructure,
    Question,
    Questionnaire,
    Section,
    SingleChoiceQuestion,
    Task,
    TaskCatalogue,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = {
    "plan": "plan.yaml",
    "questionnaire": "questionnaire.yaml",
    "kpis": "kpis.yaml",
}
TASKS_DIR = "tasks"  # one file per area, named after it: tasks/optimisation.yaml

M = TypeVar("M", bound=BaseModel)


class PlaybookError(Exception):
    """The playbook's data is invalid; each line names file, entry and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Invalid playbook:\n  " + "\n  ".join(problems))


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one per process
class Playbook:
    """The validated playbook, with indexes for lookups by id."""

    version: str
    phases: tuple[Phase, ...]
    layouts: dict[int, PlanLayout]
    questionnaire: Questionnaire
    tasks: tuple[Task, ...]
    kpis: tuple[Kpi, ...]
    questions: dict[str, Question] = field(repr=False)
    question_section: dict[str, Section] = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"Playbook(version={self.version!r}, {len(self.questions)} questions, "
            f"{len(self.tasks)} tasks, {len(self.kpis)} KPIs)"
        )

    def task(self, task_id: str) -> Task:
        return next(task for task in self.tasks if task.id == task_id)

    def question_area(self, question_id: str) -> str | None:
        return self.question_section[question_id].area


def _entry_name(raw: Any, loc: tuple[int | str, ...]) -> str:
    """`tasks[3] (id: setup_terraform).steps[0].de` for an error location in the raw data."""
    text, node = "", raw
    for step in loc:
        if isinstance(step, int):
            text += f"[{step}]"
            node = node[step] if isinstance(node, list) and step < len(node) else None
            if isinstance(node, dict) and "id" in node:
                text += f" (id: {node['id']})"
        else:
            text += f".{step}" if text else str(step)
            node = node.get(step) if isinstance(node, dict) else None
    return text


def _validate(model: type[M], filename: str, raw: Any) -> tuple[M | None, list[str]]:
    try:
        return model.model_validate(raw), []
    except ValidationError as error:
        return None, [
            f"{filename}: {_entry_name(raw, tuple(issue['loc']))}: {issue['msg']}"
            for issue in error.errors()
        ]


def _read(directory: Path, name: str) -> tuple[Any, list[str]]:
    path = directory / name
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), []
    except FileNotFoundError:
        return None, [f"{name}: file is missing"]
    except yaml.YAMLError as error:
        return None, [f"{name}: not valid YAML: {error}"]


def _read_tasks(directory: Path, areas: list[str]) -> tuple[TaskCatalogue | None, list[str]]:
    """The task files, one per area, read in the questionnaire's order of areas."""
    folder = directory / TASKS_DIR
    names = sorted(path.name for path in folder.glob("*.yaml"))
    problems = [
        f"{TASKS_DIR}/{name}: not named after an area ({', '.join(areas)})"
        for name in names
        if name.removesuffix(".yaml") not in areas
    ]
    if not names:
        problems.append(f"{TASKS_DIR}/: no task files")
    tasks: list[Task] = []
    for area in areas:
        name = f"{TASKS_DIR}/{area}.yaml"
        if f"{area}.yaml" not in names:
            continue
        raw, read_problems = _read(directory, name)
        catalogue, invalid = (None, []) if read_problems else _validate(TaskCatalogue, name, raw)
        problems += read_problems + invalid
        if catalogue is not None:
            problems += [
                f"{name}: task {task.id}: belongs to area {task.area!r}, not {area!r}"
                for task in catalogue.tasks
                if task.area != area
            ]
            tasks += catalogue.tasks
    if problems:
        return None, problems
    return TaskCatalogue(tasks=tasks), []


def _resolve_capabilities(
    tasks: TaskCatalogue, kpis: KpiCatalogue
) -> tuple[TaskCatalogue, KpiCatalogue, list[str]]:
    """Capabilities named by prerequisites and KPI effects replaced by the tasks that
    provide them, in catalogue order."""
    ids = {task.id for task in tasks.tasks}
    providers: dict[str, list[str]] = {}
    for task in tasks.tasks:
        for capability in task.provides:
            providers.setdefault(capability, []).append(task.id)
    problems = [
        f"{TASKS_DIR}/: capability {name!r} has the name of a task"
        for name in sorted(providers.keys() & ids)
    ]

    def expand(names: list[str]) -> list[str]:
        return list(
            dict.fromkeys(
                task_id
                for name in names
                for task_id in ([name] if name in ids else providers.get(name, [name]))
            )
        )

    resolved_kpis = []
    for kpi in kpis.kpis:
        effects = getattr(kpi.target, "effects", [])
        for effect in effects:
            problems += [
                f"kpis.yaml: KPI {kpi.id}: effect {effect.technique.en!r}: unknown task {name!r}"
                for name in effect.tasks
                if name not in ids and name not in providers
            ]
        resolved = [effect.model_copy(update={"tasks": expand(effect.tasks)}) for effect in effects]
        resolved_kpis.append(
            kpi.model_copy(update={"target": kpi.target.model_copy(update={"effects": resolved})})
            if effects
            else kpi
        )
    resolved_tasks = [
        task.model_copy(update={"prerequisites": expand(task.prerequisites)})
        for task in tasks.tasks
    ]
    return TaskCatalogue(tasks=resolved_tasks), KpiCatalogue(kpis=resolved_kpis), problems


def _duplicates(ids: list[str]) -> list[str]:
    return sorted(value for value, count in Counter(ids).items() if count > 1)


def _task_file(task: Task) -> str:
    return f"{TASKS_DIR}/{task.area}.yaml"


def _check_compare(compare: Compare, questions: dict[str, Question]) -> str | None:
    """Whether one comparison fits its question's type; the problem, or None."""
    question = questions.get(compare.question)
    if question is None:
        return f"unknown question {compare.question!r}"
    op, value = compare.op, compare.value
    if op in ("answered", "unanswered"):
        return None if value is None else f"{op} takes no value"
    if isinstance(question, NumberQuestion):
        if op not in ("eq", "ne", "lt", "le", "gt", "ge") or isinstance(value, (str, list)):
            return f"{compare.question} is a number: use eq/ne/lt/le/gt/ge with a number"
        return None
    choice_ids = (
        {c.id for c in question.choices}
        if isinstance(question, (SingleChoiceQuestion, MultipleChoiceQuestion))
        else set()
    )
    if isinstance(question, SingleChoiceQuestion):
        if op in ("eq", "ne") and isinstance(value, str):
            values = [value]
        elif op in ("in", "not_in") and isinstance(value, list):
            values = value
        else:
            return (
                f"{compare.question} is a single choice: "
                "use eq/ne with an id or in/not_in with a list"
            )
    elif isinstance(question, MultipleChoiceQuestion):
        if op not in ("includes", "excludes") or not isinstance(value, str):
            return f"{compare.question} is a multiple choice: use includes/excludes with an id"
        values = [value]
    else:
        return f"{compare.question} is free text: only answered/unanswered apply"
    unknown = [v for v in values if v not in choice_ids]
    return f"{compare.question} has no choice {unknown[0]!r}" if unknown else None


def _check_references(
    questionnaire: Questionnaire, tasks: TaskCatalogue, kpis: KpiCatalogue, plan: PlanStructure
) -> list[str]:
    problems: list[str] = []
    area_ids = [a.id for a in questionnaire.areas]
    questions = {q.id: q for s in questionnaire.sections for q in s.questions}

    for kind, ids in (
        ("area", area_ids),
        ("section", [s.id for s in questionnaire.sections]),
        ("question", [q.id for s in questionnaire.sections for q in s.questions]),
        ("task", [t.id for t in tasks.tasks]),
        ("KPI", [k.id for k in kpis.kpis]),
    ):
        problems += [f"duplicate {kind} id {d!r}" for d in _duplicates(ids)]
    for question in questions.values():
        if isinstance(question, (SingleChoiceQuestion, MultipleChoiceQuestion)):
            problems += [
                f"questionnaire.yaml: question {question.id}: duplicate choice {d!r}"
                for d in _duplicates([c.id for c in question.choices])
            ]

    for section in questionnaire.sections:
        if section.area is not None and section.area not in area_ids:
            problems.append(
                f"questionnaire.yaml: section {section.id}: unknown area {section.area!r}"
            )
    for index, constraint in enumerate(questionnaire.constraints):
        for name in (constraint.question, constraint.other):
            if not isinstance(questions.get(name), NumberQuestion):
                problems.append(
                    f"questionnaire.yaml: constraints[{index}]: {name!r} is not a number question"
                )

    phase_of = {t.id: t.phase for t in tasks.tasks}
    for task in tasks.tasks:
        where = f"{_task_file(task)}: task {task.id}"
        for prerequisite in task.prerequisites:
            if prerequisite not in phase_of:
                problems.append(f"{where}: unknown prerequisite {prerequisite!r}")
            elif phase_of[prerequisite] > task.phase:
                problems.append(f"{where}: prerequisite {prerequisite!r} comes in a later phase")
        if task.when is not None:
            for compare in leaves(task.when):
                problem = _check_compare(compare, questions)
                if problem:
                    problems.append(f"{where}: when: {problem}")
    cycles = _cycles({t.id: list(t.prerequisites) for t in tasks.tasks})
    problems += cycles
    if not cycles and not any("prerequisite" in p for p in problems):
        problems += _check_placement(tasks, plan)

    always = {a.id for a in questionnaire.areas if a.always_applies}
    for phase in range(1, 5):
        if not any(t.phase == phase and t.kind == "core" and t.area in always for t in tasks.tasks):
            problems.append(
                f"{TASKS_DIR}/: phase {phase} has no core task in an area that always applies"
            )

    for kpi in kpis.kpis:
        where = f"kpis.yaml: KPI {kpi.id}"
        if kpi.area not in area_ids:
            problems.append(f"{where}: unknown area {kpi.area!r}")
        baseline = questions.get(kpi.baseline_question)
        if not isinstance(baseline, NumberQuestion):
            problems.append(
                f"{where}: baseline_question {kpi.baseline_question!r} is not a number question"
            )
        elif baseline.unit != kpi.unit:
            problems.append(f"{where}: unit {kpi.unit} differs from its question's {baseline.unit}")

    if sorted(p.number for p in plan.phases) != [1, 2, 3, 4]:
        problems.append("plan.yaml: phases must be numbered 1 to 4")
    problems += [
        f"plan.yaml: duplicate layout for {d} days"
        for d in _duplicates([str(x.length) for x in plan.layouts])
    ]
    return problems


def _check_placement(tasks: TaskCatalogue, plan: PlanStructure) -> list[str]:
    """Whether every task can be placed in every layout, whatever the capacity: a task
    starts the day after its prerequisites end, so a chain of tasks inside one phase needs
    a day each; an anchored task ends on its phase's last day, so nothing in its phase can
    wait for it."""
    problems: list[str] = []
    by_id = {t.id: t for t in tasks.tasks}
    for task in tasks.tasks:
        for prerequisite in task.prerequisites:
            before = by_id[prerequisite]
            if before.anchor == "phase_end" and before.phase == task.phase:
                problems.append(
                    f"{_task_file(task)}: task {task.id}: its prerequisite {prerequisite!r} "
                    "ends on the phase's last day, so it cannot start after it in the same phase"
                )
    depth: dict[str, int] = {}

    def chain(task_id: str) -> int:  # days of the longest chain ending with the task
        if task_id not in depth:
            task = by_id[task_id]
            same_phase = [p for p in task.prerequisites if by_id[p].phase == task.phase]
            depth[task_id] = 1 + max((chain(p) for p in same_phase), default=0)
        return depth[task_id]

    for layout in plan.layouts:
        for task in tasks.tasks:
            first, last = layout.phases[task.phase - 1]
            if chain(task.id) > last - first + 1:
                problems.append(
                    f"{_task_file(task)}: task {task.id}: its chain of {chain(task.id)} tasks in "
                    f"phase {task.phase} needs more days than the {layout.length}-day plan's "
                    f"phase has ({last - first + 1})"
                )
    return problems


def _cycles(graph: dict[str, list[str]]) -> list[str]:
    state: dict[str, int] = {}  # 1 visiting, 2 done
    problems: list[str] = []

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == 2 or node not in graph:
            return
        if state.get(node) == 1:
            cycle = [*path[path.index(node) :], node]
            problems.append(f"{TASKS_DIR}/: prerequisites form a cycle: " + " → ".join(cycle))
            return
        state[node] = 1
        for nxt in graph[node]:
            visit(nxt, [*path, node])
        state[node] = 2

    for node in sorted(graph):
        visit(node, [])
    return problems


def load_playbook(directory: Path = DATA_DIR) -> Playbook:
    raws, problems = {}, []
    for key, name in FILES.items():
        raws[key], read_problems = _read(directory, name)
        problems += read_problems
    if problems:
        raise PlaybookError(problems)
    plan, p1 = _validate(PlanStructure, FILES["plan"], raws["plan"])
    questionnaire, p2 = _validate(Questionnaire, FILES["questionnaire"], raws["questionnaire"])
    kpis, p3 = _validate(KpiCatalogue, FILES["kpis"], raws["kpis"])
    problems = p1 + p2 + p3
    if plan is None or questionnaire is None or kpis is None:
        raise PlaybookError(problems)
    tasks, p4 = _read_tasks(directory, [area.id for area in questionnaire.areas])
    if tasks is None:
        raise PlaybookError(problems + p4)
    tasks, kpis, p5 = _resolve_capabilities(tasks, kpis)
    problems += p5
    problems += _check_references(questionnaire, tasks, kpis, plan)
    if problems:
        raise PlaybookError(problems)
    return Playbook(
        version=plan.version,
        phases=tuple(sorted(plan.phases, key=lambda p: p.number)),
        layouts={layout.length: layout for layout in plan.layouts},
        questionnaire=questionnaire,
        tasks=tuple(tasks.tasks),
        kpis=tuple(kpis.kpis),
        questions={q.id: q for s in questionnaire.sections for q in s.questions},
        question_section={q.id: s for s in questionnaire.sections for q in s.questions},
    )


@cache
def get_playbook() -> Playbook:
    """The playbook of this process, loaded once."""
    return load_playbook()
