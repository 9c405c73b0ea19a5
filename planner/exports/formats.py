"""A plan sheet as CSV and as Markdown: values in, text out (no queries, no clock).

Both are read by other programs, so what people typed is made harmless there: a CSV cell
that a spreadsheet would run as a formula starts with an apostrophe; Markdown's own
characters in titles, names and notes are escaped with a backslash.
"""

from __future__ import annotations

import csv
import io
import re
import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from django.utils import formats, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from planner.exports.selectors import PlanSheet, TaskRow
from planner.playbook.display import UNITS, number_text

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (OWASP's list): "=HYPERLINK(...)" in a note must stay text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # spreadsheet programs read the file as UTF-8 only with it (umlauts)


def safe_cell(value: str) -> str:
    """A text cell no spreadsheet runs as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _decimal(value: Decimal | float, language: str) -> str:
    """A number as the reader's spreadsheet expects it: "2.5", or "2,5" in German."""
    text = f"{value:f}".rstrip("0").rstrip(".") if isinstance(value, Decimal) else f"{value:g}"
    return text.replace(".", ",") if language == "de" else text


def _local(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return ""
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def csv_headers() -> list[str]:
    # The words of the plan page and the task page (their German is settled) where the
    # column is theirs.
    return [
        _("Phase"),
        capfirst(_("first day")),
        _("Due day"),
        _("Due date"),
        _("Task"),
        _("Part"),
        _("Parts"),
        _("Assignee"),
        _("Email address"),
        _("Status"),
        capfirst(_("closed")),
        _("Closed by"),
        capfirst(_("effort (hours)")),
        capfirst(_("reason for skipping")),
        _("Note"),
        _("Evidence link"),
    ]


def _csv_row(task: TaskRow, language: str, zone: str) -> list[str]:
    return [
        str(task.phase),
        str(task.start_day),
        str(task.day),
        _iso(task.due_date),
        task.own_title,
        str(task.part),
        str(task.parts),
        task.assignee_name,
        task.assignee_email,
        task.status_label,
        _local(task.closed_at, zone),
        task.closed_by,
        _decimal(task.effort_hours, language),
        task.skip_reason,
        task.note,
        task.evidence_url,
    ]


def plan_csv(sheet: PlanSheet, language: str, time_zone: str) -> bytes:
    """One row per task under a header row in `language`; UTF-8 with a byte order mark.

    German spreadsheets split at semicolons and read decimal commas, English ones at
    commas with decimal points: each reader gets the file their program opens as a table.
    Dates are ISO (2027-03-01), which every spreadsheet reads; clock times are the team's.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if language == "de" else ",", lineterminator="\r\n")
    with translation.override(language):
        writer.writerow(csv_headers())
    for task in sheet.tasks:
        writer.writerow([safe_cell(cell) for cell in _csv_row(task, language, time_zone)])
    return (BOM + buffer.getvalue()).encode("utf-8")


def csv_filename(sheet: PlanSheet) -> str:
    start = sheet.start_date.isoformat() if sheet.start_date else "draft"
    return f"{sheet.team_slug}-plan-{start}.csv"


# CommonMark lets a backslash escape any ASCII punctuation; these are the ones that make
# emphasis, links, code, tables, HTML and entities out of plain words.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>#|~&!])")
# At the start of a line these make a list item, a quote, a heading or an underline.
_LINE_START = re.compile(r"^([-+=>]|\d+(?=[.)]))")


def md_text(value: str) -> str:
    """User text for one line of Markdown: its own characters escaped, line breaks spaces."""
    return _MARKDOWN.sub(r"\\\1", " ".join(value.split()))


def md_lines(value: str) -> list[str]:
    """A multi-line text (a note) as escaped lines, none starting a block of its own."""
    lines = []
    for line in value.splitlines():
        text = md_text(line)
        if text:
            match = _LINE_START.match(text)
            if match:
                end = match.end()
                text = text[:end] + "\\" + text[end:] if match.group(1).isdigit() else "\\" + text
            lines.append(text)
    return lines


URL_SAFE = ":/?#[]@!$&'()*+,;=%-._~"  # what stays as it is in a link; the rest is encoded


def md_url(url: str) -> str:
    """A link as an autolink; characters that would end it are percent-encoded."""
    return "<" + quote(url, safe=URL_SAFE) + ">"


def _date(day: date | None) -> str:
    return formats.date_format(day, "DATE_FORMAT") if day else ""


def _number(value: float) -> str:
    return number_text(value, "count").get(translation.get_language() or "en")


def _unit(unit: str) -> str:
    english, german = UNITS.get(unit, ("", ""))  # type: ignore[call-overload]
    return str(german if (translation.get_language() or "en").startswith("de") else english)


def _task_line(task: TaskRow) -> list[str]:
    box = "x" if task.is_done else " "
    facts = [(task.assignee_name and md_text(task.assignee_name)) or _("unassigned")]
    due = _("due day %(day)s") % {"day": task.day}
    if task.due_date:
        due += f" ({_date(task.due_date)})"
    facts.append(due)
    facts.append(task.status_label)
    if task.status == "skipped" and task.skip_reason:
        facts[-1] += ": " + md_text(task.skip_reason)
    hours = _("%(hours)s h") % {"hours": _decimal(task.effort_hours, _language())}
    facts.append(hours)
    lines = [f"- [{box}] **{md_text(task.title)}** · " + " · ".join(facts)]
    note = md_lines(task.note)
    if note:
        lines.append("  " + _("Note") + ": " + "\\\n  ".join(note))
    if task.evidence_url:
        lines.append("  " + _("Evidence") + ": " + md_url(task.evidence_url))
    return lines


def _language() -> str:
    return (translation.get_language() or "en")[:2]


def _table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    head = list(headers)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def plan_markdown(sheet: PlanSheet) -> str:
    """The plan as a Markdown document in the active language: its phases as checklists,
    the KPI table, the maturity before and after, and the backlog with its reasons."""
    plan = sheet.plan
    out: list[str] = []
    out.append(
        "# "
        + _("%(days)s-day plan of %(team)s")
        % {"days": plan.length, "team": md_text(sheet.team_name)}
    )
    out.append("")
    facts = [_("Status") + ": " + sheet.status_label]
    if sheet.start_date:
        facts.append(
            _("Days 1–%(last)s: %(start)s to %(end)s")
            % {"last": plan.length, "start": _date(sheet.start_date), "end": _date(sheet.end_date)}
        )
    else:
        facts.append(_("not started yet"))
    facts.append(
        _("%(done)s of %(count)s tasks done, %(hours)s hours in all")
        % {
            "done": sheet.done,
            "count": len(sheet.tasks),
            "hours": _decimal(sheet.effort_hours, _language()),
        }
    )
    out.append(" · ".join(facts))
    for phase in sheet.phases:
        out.append("")
        heading = _("Phase %(number)s: %(title)s, days %(first)s–%(last)s") % {
            "number": phase.number,
            "title": phase.title,
            "first": phase.first,
            "last": phase.last,
        }
        if phase.first_date:
            heading += f" ({_date(phase.first_date)} – {_date(phase.last_date)})"
        out.append("## " + heading)
        out.append("")
        if not phase.tasks:
            out.append(_("No tasks in this phase."))
        for task in phase.tasks:
            out.extend(_task_line(task))
    out += ["", "## " + _("KPI targets"), ""]
    if sheet.kpis:
        out += _table(
            [_("KPI"), _("Baseline"), _("Latest"), _("Target"), _("Unit")],
            (
                [
                    md_text(kpi.title),
                    _number(kpi.baseline),
                    "—" if kpi.latest is None else _number(kpi.latest),
                    (
                        f"{_number(kpi.band[0])}–{_number(kpi.band[1])}"
                        if kpi.band
                        else _number(kpi.target)
                    ),
                    md_text(_unit(kpi.unit)),
                ]
                for kpi in sheet.kpis
            ),
        )
    else:
        out.append(_("No KPI targets."))
    if sheet.maturity:
        out += ["", "## " + _("Maturity per area"), ""]
        out += _table(
            [_("Area"), _("Before the plan"), _("Target"), _("After the plan")],
            (
                [
                    md_text(row.title),
                    str(row.before) if row.applicable else _("not applicable"),
                    str(row.target) if row.applicable else "—",
                    "—" if row.after is None else str(row.after),
                ]
                for row in sheet.maturity
            ),
        )
        out.append("")
        if sheet.reassessed_at:
            out.append(
                _("“After” is the self-assessment of %(date)s.")
                % {"date": _date(sheet.reassessed_at.date())}
            )
        else:
            out.append(_("“After” waits for the team to take the self-assessment again."))
    out += ["", "## " + _("Backlog"), ""]
    if not sheet.backlog:
        out.append(_("Empty: the plan holds every task the team needs."))
    for item in sheet.backlog:
        core = " (" + _("core step") + ")" if item.core else ""
        out.append(
            f"- **{md_text(item.title)}**{core} · "
            + _("phase %(number)s") % {"number": item.phase}
            + " · "
            + _("%(hours)s h") % {"hours": _decimal(item.effort_hours, _language())}
            + " · "
            + md_text(item.reason)
        )
    return "\n".join(out) + "\n"


def markdown_filename(sheet: PlanSheet) -> str:
    return csv_filename(sheet).removesuffix(".csv") + ".md"
