"""The plan as CSV: a row per task, the header in the reader's language, spreadsheet
formulas neutralised, UTF-8 with a byte order mark, a telling file name."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from planner.exports.formats import safe_cell
from tests.exports.conftest import EVIDENCE, NOTE, REASON, TITLE, tasks_in_order

pytestmark = pytest.mark.django_db


def _rows(content: bytes, delimiter: str = ",") -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8 with it
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


def test_a_row_per_task_with_owner_state_and_dates(client: Client, plan, engineer, lead):
    client.force_login(engineer)
    response = client.get(f"/teams/ml-platform/plans/{plan.pk}/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="ml-platform-plan-2027-02-01.csv"'
    )
    header, *rows = _rows(response.content)
    assert header == [
        "Phase",
        "First day",
        "Due day",
        "Due date",
        "Task",
        "Part",
        "Parts",
        "Assignee",
        "Email address",
        "Status",
        "Closed",
        "Closed by",
        "Effort (hours)",
        "Reason for skipping",
        "Note",
        "Evidence link",
    ]
    tasks = tasks_in_order(plan)
    assert len(rows) == len(tasks)
    done, skipped = dict(zip(header, rows[0], strict=True)), dict(zip(header, rows[1], strict=True))
    assert done["Assignee"] == "Jürg Müller"
    assert done["Email address"] == "engineer@example.org"
    assert done["Status"] == "Done"
    assert done["Closed"] == "2027-02-08 10:00"  # the team's clock (Zurich)
    assert done["Closed by"] == "Jürg Müller"
    assert done["Due date"] == str(plan.date_of_day(tasks[0].day))
    assert done["Note"] == NOTE  # a line inside the cell may start with "=": only its start counts
    assert done["Evidence link"] == EVIDENCE
    assert skipped["Status"] == "Skipped"
    assert skipped["Assignee"] == "Lea Lead"


def test_formulas_in_user_text_stay_text(client: Client, plan, engineer):
    client.force_login(engineer)
    header, *rows = _rows(client.get(f"/teams/ml-platform/plans/{plan.pk}/export.csv").content)
    done, skipped = dict(zip(header, rows[0], strict=True)), dict(zip(header, rows[1], strict=True))
    assert done["Task"] == "'" + TITLE
    assert skipped["Reason for skipping"] == "'" + REASON
    dangerous = ("=", "+", "-", "@", "\t", "\r")
    assert not [cell for row in rows for cell in row if cell.startswith(dangerous)]


@pytest.mark.parametrize("start", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_every_formula_start_gets_an_apostrophe(start: str):
    assert safe_cell(start) == "'" + start
    assert safe_cell("a" + start) == "a" + start


def test_german_readers_get_a_german_header_semicolons_and_decimal_commas(
    client: Client, plan, engineer
):
    engineer.language = "de"
    engineer.save(update_fields=["language"])
    plan.tasks.filter(pk=tasks_in_order(plan)[0].pk).update(effort_hours="2.5")
    client.force_login(engineer)
    content = client.get(f"/teams/ml-platform/plans/{plan.pk}/export.csv").content
    header, first, second, *_ = _rows(content, delimiter=";")
    for german in ("Erster Tag", "Zuständig", "E-Mail-Adresse", "Abgeschlossen", "Notiz"):
        assert german in header
    row = dict(zip(header, first, strict=True))
    assert row["Status"] == "Erledigt"
    assert row["Aufwand (Stunden)"] == "2,5"
    assert row["Zuständig"] == "Jürg Müller"
    assert "Äpfel" in dict(zip(header, second, strict=True))["Grund für das Überspringen"]


def test_a_draft_is_named_draft(client: Client, lead, team):
    from tests.plans.conftest import generate_draft

    draft = generate_draft(team, lead)
    client.force_login(lead)
    response = client.get(f"/teams/ml-platform/plans/{draft.pk}/export.csv")
    assert response["Content-Disposition"] == 'attachment; filename="ml-platform-plan-draft.csv"'
