"""Chat messages: the phase summary (or weekly digest) as Slack Block Kit blocks and as a
Microsoft Teams Adaptive Card. Pure: a `Summary` in, the JSON body out; the words are in
the active language (the caller sets the team's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

LIST_LIMIT = 10  # tasks named per list; the rest are counted ("and 4 more")
SLACK_TEXT = 3000  # characters in one Slack section


@dataclass(frozen=True, slots=True)
class Line:
    title: str
    owner: str
    url: str


@dataclass(frozen=True, slots=True)
class KpiLine:
    title: str
    baseline: str  # with its unit
    latest: str | None
    target: str
    reached: bool


@dataclass(frozen=True)
class Summary:
    key: str  # "kickoff", "phase-2", ..., "wrapup" or "digest"
    team: str
    plan_url: str
    progress_url: str
    length: int
    ended_phase: int | None
    ended_done: int
    ended_open: list[Line]
    next_phase: int | None
    next_by_owner: list[tuple[str, list[Line]]]  # owner ("" for nobody yet), open tasks
    kpis: list[KpiLine]
    done_recently: list[Line] = field(default_factory=list)


def headline(summary: Summary) -> str:
    if summary.key == "kickoff":
        return _("%(team)s: the %(length)s-day plan starts today") % {
            "team": summary.team,
            "length": summary.length,
        }
    if summary.key == "wrapup":
        return _("%(team)s: the plan is complete") % {"team": summary.team}
    if summary.key == "digest":
        return _("%(team)s: the plan this week") % {"team": summary.team}
    return _("%(team)s: phase %(number)s starts today") % {
        "team": summary.team,
        "number": summary.next_phase,
    }


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    lines: list[tuple[str, str]]  # (text, url or "") per line, or a plain text line


def sections(summary: Summary) -> list[Section]:
    """The message's parts, shared by both services."""
    result = []
    if summary.ended_phase:
        result.append(
            Section(
                _("Phase %(number)s ended: %(done)s done, %(open)s open")
                % {
                    "number": summary.ended_phase,
                    "done": summary.ended_done,
                    "open": len(summary.ended_open),
                },
                _task_lines(summary.ended_open, with_owner=True),
            )
        )
    if summary.done_recently:
        result.append(
            Section(
                _("Done in the last seven days"),
                _task_lines(summary.done_recently, with_owner=True),
            )
        )
    if summary.next_phase:
        lines: list[tuple[str, str]] = []
        for owner, tasks in summary.next_by_owner:
            name = owner or _("Nobody yet")
            lines.append((f"{name}:", ""))
            lines.extend(_task_lines(tasks, with_owner=False))
        result.append(
            Section(
                _("Open tasks of phase %(number)s by owner") % {"number": summary.next_phase},
                lines or [(_("No open tasks."), "")],
            )
        )
    if summary.kpis:
        result.append(Section(_("KPIs"), [(kpi_text(k), "") for k in summary.kpis]))
    return result


def kpi_text(kpi: KpiLine) -> str:
    text = _("%(title)s: baseline %(baseline)s, latest %(latest)s, target %(target)s") % {
        "title": kpi.title,
        "baseline": kpi.baseline,
        "latest": kpi.latest if kpi.latest is not None else "–",
        "target": kpi.target,
    }
    return f"{text} ({_('reached')})" if kpi.reached else text


def _task_lines(tasks: list[Line], *, with_owner: bool) -> list[tuple[str, str]]:
    lines = [
        (f"{t.title} ({t.owner})" if with_owner and t.owner else t.title, t.url)
        for t in tasks[:LIST_LIMIT]
    ]
    if len(tasks) > LIST_LIMIT:
        lines.append((_("and %(count)s more") % {"count": len(tasks) - LIST_LIMIT}, ""))
    return lines


# --- Slack: an incoming webhook takes {"text", "blocks"} --------------------------------


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_line(text: str, url: str) -> str:
    if url:
        return f"• <{url}|{_slack_escape(text).replace('|', '¦')}>"
    if text.endswith(":"):
        return f"*{_slack_escape(text)}*"
    return f"• {_slack_escape(text)}"


def slack(summary: Summary) -> dict[str, Any]:
    title = headline(summary)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150], "emoji": False}}
    ]
    for section in sections(summary):
        text = f"*{_slack_escape(section.title)}*\n" + "\n".join(
            _slack_line(t, u) for t, u in section.lines
        )
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut(text)}})
    blocks.append(
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": _("Open the plan")},
                    "url": summary.plan_url,
                },
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": _("Open the progress page")},
                    "url": summary.progress_url,
                },
            ],
        }
    )
    return {"text": title, "blocks": blocks}


def _cut(text: str) -> str:
    return text if len(text) <= SLACK_TEXT else text[: SLACK_TEXT - 1] + "…"


# --- Microsoft Teams: a Workflows webhook takes a message with an Adaptive Card ----------


def _card_escape(text: str) -> str:
    # TextBlock reads a subset of Markdown: keep titles literal.
    for char in "\\*_[]":
        text = text.replace(char, "\\" + char)
    return text


def teams(summary: Summary) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": _card_escape(headline(summary)),
            "size": "Large",
            "weight": "Bolder",
            "wrap": True,
        }
    ]
    for section in sections(summary):
        body.append(
            {
                "type": "TextBlock",
                "text": _card_escape(section.title),
                "weight": "Bolder",
                "wrap": True,
                "spacing": "Medium",
            }
        )
        lines = [
            f"- [{_card_escape(t)}]({u})" if u else f"- {_card_escape(t)}" for t, u in section.lines
        ]
        body.append({"type": "TextBlock", "text": "\n".join(lines), "wrap": True})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [
            {"type": "Action.OpenUrl", "title": _("Open the plan"), "url": summary.plan_url},
            {
                "type": "Action.OpenUrl",
                "title": _("Open the progress page"),
                "url": summary.progress_url,
            },
        ],
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }
