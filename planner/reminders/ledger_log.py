"""The reminder ledger's log lines: one per transition an operator follows.

Each names the delivery (or reminder), the team and the boundary, in the message for a
person reading text logs and as fields (`extra`) for a JSON log's queries. Never the
recipient's address, the email's text or the mail server's words (they can quote the
address): the lead's reminder page shows those.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

log = logging.getLogger("planner.reminders.ledger")


def ledger_line(event: str, /, *, level: int = logging.INFO, **fields: Any) -> None:
    """Log `Reminder <event>: key=value ...`; the fields go into the record too."""
    if not log.isEnabledFor(level):
        return
    text = " ".join(f"{name}={value}" for name, value in fields.items())
    log.log(level, "Reminder %s: %s", event, text, extra={"ledger_event": event, **fields})


def error_kind(error: BaseException) -> str:
    """What went wrong, without the words that can name the recipient: the exception's
    class and the SMTP reply code(s)."""
    name = type(error).__name__
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
        return f"{name} {','.join(str(code) for code in codes)}".strip()
    code = getattr(error, "smtp_code", None)
    return f"{name} {code}" if isinstance(code, int) else name
