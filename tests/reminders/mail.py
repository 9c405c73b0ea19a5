"""Reading a reminder email as a test does: its HTML part, and the message as it goes out."""

from __future__ import annotations

from email import message_from_bytes
from email.message import EmailMessage as ParsedEmail
from email.policy import default as default_policy

from django.core.mail import EmailMessage, EmailMultiAlternatives


def html_of(message: EmailMessage) -> str:
    assert isinstance(message, EmailMultiAlternatives)
    ((content, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert isinstance(content, str)
    return content


def on_the_wire(message: EmailMessage) -> ParsedEmail:
    """The message as Django's mail backends write it, parsed back."""
    parsed = message_from_bytes(message.message().as_bytes(), policy=default_policy)
    assert isinstance(parsed, ParsedEmail)
    return parsed
