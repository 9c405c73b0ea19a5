"""Every German text uses the terms of docs/glossary-de.yaml, and never a variant it forbids.

German text is: every `de` value in the playbook YAML (recursively), every msgstr of the
German catalogue, `de=` arguments and `"de":` values in the Python sources, and elements
marked `lang="de"` in the templates. Pure file reading: no Django, no database, so it runs
even while the playbook is being edited (`pytest -p no:django -o addopts= --noconftest`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import polib
import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "glossary-de.yaml"
CATALOGUE = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"
PLAYBOOK = ROOT / "planner" / "playbook" / "data"
SOURCES = ROOT / "planner"
TEMPLATES = ROOT / "templates"

CONTEXT = 45  # characters shown on either side of a hit
CODE_SPAN = re.compile(r"`[^`\n]*`")
GERMAN_ELEMENT = re.compile(r"<(\w+)\b[^>]*\blang=\"de\"[^>]*>(.*?)</\1>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")
PLACEHOLDER = "{…}"  # an f-string's replacement field, as the check sees it


# --- The glossary ------------------------------------------------------------------------


class Entry(BaseModel):
    """One decision: the German term we use and the variants that must not appear."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    term: str = Field(min_length=1)
    english: str = Field(min_length=1)
    # Whole words; a hyphen ends a word ("Nutzer" catches "Nutzer-IDs", not "Nutzung").
    forbidden: tuple[str, ...] = ()
    # An extra pattern for compounds and rules (e.g. a digit directly before "%").
    regex: str | None = None
    ignore_case: bool = False
    note: str | None = None

    @field_validator("forbidden")
    @classmethod
    def _words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        if any(not w.strip() or w != w.strip() for w in words):
            raise ValueError("forbidden variants are non-empty and carry no outer spaces")
        if len(set(words)) != len(words):
            raise ValueError("a forbidden variant is listed twice")
        if "ß" in "".join(words):
            raise ValueError("write ss, not ß")
        return words

    @field_validator("regex")
    @classmethod
    def _compiles(cls, regex: str | None) -> str | None:
        if regex is not None:
            re.compile(regex)
        return regex

    @model_validator(mode="after")
    def _consistent(self) -> Entry:
        if not self.forbidden and self.regex is None:
            raise ValueError(f"{self.term!r}: give forbidden variants or a regex")
        if "ß" in self.term:
            raise ValueError(f"{self.term!r}: write ss, not ß")
        if self.pattern.search(self.term):
            raise ValueError(f"{self.term!r} matches its own forbidden variants")
        return self

    @property
    def pattern(self) -> re.Pattern[str]:
        return _pattern(self.forbidden, self.regex, self.ignore_case)


@cache
def _pattern(forbidden: tuple[str, ...], regex: str | None, ignore_case: bool) -> re.Pattern[str]:
    # Longest first, so "Knowledge Distillation" is one hit rather than "Distillation".
    words = [rf"(?<!\w){re.escape(w)}(?!\w)" for w in sorted(forbidden, key=len, reverse=True)]
    return re.compile("|".join([*words, *([regex] if regex else [])]), re.I if ignore_case else 0)


GLOSSARY_SCHEMA = TypeAdapter(list[Entry])


@cache
def glossary() -> tuple[Entry, ...]:
    entries = GLOSSARY_SCHEMA.validate_python(yaml.safe_load(GLOSSARY.read_text("utf-8")))
    return tuple(entries)


# --- German texts ------------------------------------------------------------------------


@dataclass(frozen=True)
class German:
    source: str  # the file, relative to the repository
    where: str  # inside it: a YAML path, a line, a msgid
    text: str


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name


def _yaml_texts(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        label = f"{where} {node['id']}" if isinstance(node.get("id"), str) else where
        for key, value in node.items():
            inner = f"{label}.{key}" if label else str(key)
            if key == "de":
                yield from _strings(value, label or "de")
            else:
                yield from _yaml_texts(value, inner)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _yaml_texts(item, f"{where}[{index}]")


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """A `de` value: a string, or strings nested in a list or mapping."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}.{key}")


def playbook_files() -> list[Path]:
    return sorted(PLAYBOOK.rglob("*.yaml"))


def playbook_texts(path: Path) -> list[German]:
    data = yaml.safe_load(path.read_text("utf-8"))
    # Paths start at the file's top key, e.g. "tasks[3] mon_alerts.why".
    return [German(_relative(path), w, t) for w, t in _yaml_texts(data, "")]


def catalogue_texts(path: Path = CATALOGUE) -> list[German]:
    texts = []
    for entry in polib.pofile(str(path)):
        if entry.obsolete:
            continue
        where = f"line {entry.linenum} (msgid {entry.msgid[:50]!r})"
        forms = [entry.msgstr, *entry.msgstr_plural.values()]
        texts += [German(_relative(path), where, form) for form in forms if form]
    return texts


def _literal(node: ast.expr) -> str:
    """The German text of an expression: its string literals, replacement fields as {…}."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else PLACEHOLDER
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else PLACEHOLDER
            for v in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal(node.left) + _literal(node.right)
    return PLACEHOLDER


def python_files() -> list[Path]:
    return sorted(SOURCES.rglob("*.py"))


def python_texts(path: Path) -> list[German]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    values: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "de":
            values.append(node.value)
        elif isinstance(node, ast.Dict):
            values += [
                v
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and k.value == "de"
            ]
    texts = sorted((v.lineno, _literal(v)) for v in values)
    return [
        German(_relative(path), f"line {line}", text)
        for line, text in texts
        if re.search(r"[^\W\d_]", text.replace(PLACEHOLDER, ""))  # words, not only fields
    ]


def template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def template_texts(path: Path) -> list[German]:
    source = path.read_text("utf-8")
    return [
        German(_relative(path), f"line {source.count(chr(10), 0, m.start()) + 1}", text)
        for m in GERMAN_ELEMENT.finditer(source)
        if (text := TAG.sub("", m.group(2)).strip())
    ]


SOURCE_KINDS = [
    *[(p, playbook_texts) for p in playbook_files()],
    (CATALOGUE, catalogue_texts),
    *[(p, python_texts) for p in python_files()],
    *[(p, template_texts) for p in template_files()],
]
SOURCE_IDS = [_relative(p) for p, _ in SOURCE_KINDS]


@cache
def texts_of(path: Path, read: Callable[[Path], list[German]]) -> list[German]:
    """Each file is read once per run, though two tests check it."""
    return read(path)


# --- The check ---------------------------------------------------------------------------


def _without_code(text: str) -> str:
    """`code spans` are code, not German: blanked, so offsets stay."""
    return CODE_SPAN.sub(lambda m: " " * len(m.group()), text)


def _context(text: str, start: int, end: int) -> str:
    before = ("…" if start > CONTEXT else "") + text[max(0, start - CONTEXT) : start]
    after = text[end : end + CONTEXT] + ("…" if end + CONTEXT < len(text) else "")
    return " ".join(f"{before}[{text[start:end]}]{after}".split())


def violations(texts: list[German], entries: tuple[Entry, ...] | None = None) -> list[str]:
    """One line per forbidden variant found: where, which variant, the term to use, context."""
    found = []
    for german in texts:
        checked = _without_code(german.text)
        for entry in glossary() if entries is None else entries:
            for match in entry.pattern.finditer(checked):
                found.append(
                    f"{german.source}: forbidden variant {match.group()!r} (use {entry.term!r}) "
                    f"in: {_context(german.text, match.start(), match.end())} "
                    f"[{german.where}]"
                )
    return found


def sharp_s(texts: list[German]) -> list[str]:
    return [
        f"{g.source}: 'ß' (write 'ss') in: "
        f"{_context(g.text, g.text.index('ß'), g.text.index('ß') + 1)} [{g.where}]"
        for g in texts
        if "ß" in g.text
    ]


# --- Tests -------------------------------------------------------------------------------


def test_glossary_is_valid_and_has_the_agreed_decisions():
    entries = glossary()
    terms = [e.term for e in entries]
    assert len(set(terms)) == len(terms), "a term has two entries"
    by_term = {e.term: e for e in entries}
    for term, variants in {
        "KPI": ["Kennzahl", "Kennzahlen"],
        "Inferenzlatenz": ["Inferenzzeit"],
        "Deployment-Häufigkeit": ["Deployment-Frequenz"],
        "Vorfall": ["Störung", "Incident", "Incidents"],
        "Nutzende": ["Nutzer", "Nutzern", "Benutzer"],
        "Alarm": ["Alert", "Alerts"],
        "Teamleitung": ["Teamleiter", "Team-Lead"],
        "Modell-Service": ["Modellservice", "Model-Service"],
    }.items():
        assert term in by_term, term
        for variant in variants:
            assert by_term[term].pattern.search(f"Die {variant} hier."), (term, variant)


def test_every_source_of_german_text_is_found():
    assert playbook_files()
    assert catalogue_texts()
    kinds = {g.source for p, read in SOURCE_KINDS for g in texts_of(p, read)}
    assert any(s.startswith("planner/playbook/data/tasks/") for s in kinds)
    assert "planner/playbook/data/kpis.yaml" in kinds
    assert "planner/plans/generator.py" in kinds
    assert "planner/playbook/display.py" in kinds


@pytest.mark.parametrize(("path", "read"), SOURCE_KINDS, ids=SOURCE_IDS)
def test_german_text_uses_the_glossary_terms(path: Path, read):
    found = violations(texts_of(path, read))
    assert not found, f"{len(found)} forbidden variant(s):\n" + "\n".join(found)


@pytest.mark.parametrize(("path", "read"), SOURCE_KINDS, ids=SOURCE_IDS)
def test_german_text_writes_ss_not_sharp_s(path: Path, read):
    found = sharp_s(texts_of(path, read))
    assert not found, "\n".join(found)


# The checker itself: it must be able to fail, and must not fail on what is allowed.


def _one(text: str) -> list[German]:
    return [German("example.yaml", "de", text)]


def test_the_checker_reports_forbidden_variants():
    found = violations(
        _one("Die Kennzahlen zeigen 40% mehr Störungen, die Nutzer bemerken; der Teamleiter.")
    )
    assert len(found) == 5, found
    assert found[0].startswith("example.yaml: forbidden variant 'Kennzahlen' (use 'KPI') in: ")
    assert any("'40%' (use '50 %')" in line for line in found)
    assert any("'Störungen' (use 'Vorfall')" in line for line in found)
    assert any("'Nutzer' (use 'Nutzende')" in line for line in found)
    assert any("'Teamleiter' (use 'Teamleitung')" in line for line in found)


@pytest.mark.parametrize(
    ("text", "variant"),
    [
        ("Mehr als 15%% unter dem Aufwand", "15%"),
        ("(%(percent)s%%)", "%(percent)s%"),
        ("Die Kennzahlentabelle aus Phase 1", "Kennzahlentabelle"),
        ("nie mit Benutzer-IDs", "Benutzer"),
        ("eine Störungsübung", "Störungsübung"),
        ("Schreiben Sie Alerting-Regeln", "Alerting"),
        ("in der Model Registry", "Model Registry"),
        ("Ein Pull-Request, der", "Pull-Request"),
        ("Tage 1-7", "1-7"),
        ("Tage %(first)s-%(last)s", "%(first)s-%(last)s"),
        ("Die Change Failure Rate", "Change Failure Rate"),
    ],
)
def test_the_checker_catches_compounds_and_patterns(text: str, variant: str):
    found = violations(_one(text))
    assert len(found) == 1, found
    assert f"forbidden variant {variant!r}" in found[0]


@pytest.mark.parametrize(
    "text",
    [
        "Die Nutzenden bemerken es, die Nutzung steigt, ungenutzte Instanzen.",
        "Der Alertmanager meldet; SageMaker Model Registry und MLflow Model Registry.",
        "Mehr als 15 %% unter dem Aufwand (%(due)s h), %(percent)s %% erledigt.",
        "40 % kleiner, Tage 1–7, Tage %(first)s–%(last)s, 2- bis 3-mal schneller.",
        "Eine Merge-Request-Vorlage für jeden Merge Request.",
        "Setzen Sie `alert: HighLatency` und `rate(x[5m]) > 5%`.",
        "Die Teamleitung gibt die Rolle Leitung ab; Pikett, Secrets und Zugangsdaten.",
    ],
)
def test_the_checker_accepts_allowed_text(text: str):
    assert violations(_one(text)) == []


def test_the_checker_finds_german_in_python_sources(tmp_path: Path):
    module = tmp_path / "example.py"
    module.write_text(
        'Text(en="users", de=f"{n} Nutzer sehen 5%")\n'
        'TITLE = {"en": "Incident", "de": "Vorfall " + "oder Incident"}\n'
        'call(mode="Nutzer")\n',
        "utf-8",
    )
    texts = python_texts(module)
    assert [(g.source, g.where, g.text) for g in texts] == [
        ("example.py", "line 1", "{…} Nutzer sehen 5%"),
        ("example.py", "line 2", "Vorfall oder Incident"),
    ]
    assert len(violations(texts)) == 3


def test_the_checker_reports_sharp_s():
    assert sharp_s(_one("Die Grösse ist gross.")) == []
    assert len(sharp_s(_one("Die Größe"))) == 1
