"""The German catalogue is complete, current with the code, and written with Swiss "ss"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"


def _entries() -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(CATALOGUE)) if not entry.obsolete]


def test_no_entry_is_untranslated_or_fuzzy():
    catalogue = polib.pofile(str(CATALOGUE))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []


def test_german_uses_ss_not_sharp_s():
    offending = [
        entry.msgid
        for entry in _entries()
        if "ß" in entry.msgstr or any("ß" in form for form in entry.msgstr_plural.values())
    ]
    assert offending == []


def test_every_translatable_string_in_the_code_is_in_the_catalogue(tmp_path: Path):
    """Extract afresh from a copy of the sources and compare with the committed catalogue."""
    for folder in ("planner", "templates", "locale"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.mo"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    env = {**os.environ, "DEBUG": "true", "PYTHONPATH": str(tmp_path)}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-location"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    fresh = polib.pofile(str(tmp_path / "locale" / "de" / "LC_MESSAGES" / "django.po"))
    committed = {(e.msgctxt, e.msgid) for e in _entries() if e.translated()}
    missing = sorted(
        e.msgid for e in fresh if not e.obsolete and (e.msgctxt, e.msgid) not in committed
    )
    assert missing == [], "run `make messages` and translate these strings"


@pytest.mark.django_db
def test_compiled_catalogue_is_used_for_german_pages(client: Client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de")
    assert response["Content-Language"] == "de"
    assert "Anmelden" in response.content.decode()
    with translation.override("de"):
        assert translation.gettext("Sign in") == "Anmelden"
