"""The plan as Markdown: phases as checklists, the KPI table, maturity, the backlog; what
people typed cannot turn into links, HTML, headings or list items."""

from __future__ import annotations

import pytest
from django.test import Client

from planner.exports.formats import md_lines, md_text, md_url

pytestmark = pytest.mark.django_db


def _markdown(client: Client, plan) -> str:
    response = client.get(f"/teams/ml-platform/plans/{plan.pk}/export.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="ml-platform-plan-2027-02-01.md"'
    )
    return response.content.decode()


def test_phases_are_checklists_with_owner_due_date_and_state(client: Client, plan, engineer):
    client.force_login(engineer)
    text = _markdown(client, plan)
    assert text.startswith("# 30-day plan of ML Platform\n")
    assert "## Phase 1: Analysis and planning, days 1–7 (Mon 1 Feb 2027 – Sun 7 Feb 2027)" in text
    lines = text.splitlines()
    done = next(line for line in lines if line.startswith("- [x] "))
    assert "Jürg Müller" in done
    assert "due day" in done
    assert "Done" in done
    skipped = next(line for line in lines if "Skipped" in line)
    assert skipped.startswith("- [ ] ")
    assert "Lea Lead" in skipped
    assert "Äpfel" in skipped
    open_tasks = [line for line in lines if line.startswith("- [ ] ")]
    assert len(open_tasks) == plan.tasks.count() - 1


def test_user_text_is_escaped(client: Client, plan, engineer):
    client.force_login(engineer)
    text = _markdown(client, plan)
    assert (
        r"\=HYPERLINK" not in text  # no formula guard in Markdown: it is text there
    )
    assert r"Prüfung \*wichtig\* \#1 \| \[x\](javascript:y) \<b\>" in text
    assert "<b>" not in text
    assert "  Note: Grösse geprüft: \\<b\\>gut\\</b\\> \\& fertig\\" in text
    assert "\n  \\- kein Listenpunkt\\\n  1\\. keine Nummer\\\n  \\=1+2\n" in text
    assert "Evidence: <https://ci.example.org/runs/42?tab=logs&x=%3Cb%3E>" in text


def test_kpis_maturity_and_backlog_are_there(client: Client, plan, engineer):
    client.force_login(engineer)
    text = _markdown(client, plan)
    assert "| KPI | Baseline | Latest | Target | Unit |" in text
    target = plan.kpi_targets.order_by("pk").first()
    assert f"| {md_text(target.title_text)} |" in text
    assert "## Maturity per area" in text
    assert "“After” waits for the team to take the self-assessment again." in text
    assert "## Backlog" in text


@pytest.mark.parametrize(
    ("typed", "escaped"),
    [
        ("*bold* _it_", r"\*bold\* \_it\_"),
        ("[a](b)", r"\[a\](b)"),
        ("<script>", r"\<script\>"),
        ("a | b", r"a \| b"),
        ("`code`", r"\`code\`"),
        ("&amp;", r"\&amp;"),
        ("two\nlines", "two lines"),
        ("![img](x)", r"\!\[img\](x)"),
    ],
)
def test_markdown_characters_are_escaped(typed: str, escaped: str):
    assert md_text(typed) == escaped


def test_lines_of_a_note_start_no_block():
    assert md_lines("# head\n- item\n+ item\n> quote\n12. item\n3) item\n===") == [
        r"\# head",
        r"\- item",
        r"\+ item",
        r"\> quote",
        r"12\. item",
        r"3\) item",
        r"\===",
    ]


def test_a_link_cannot_break_out_of_its_brackets():
    assert md_url("https://x.example/a>b <c") == "<https://x.example/a%3Eb%20%3Cc>"
