"""Standard Webhooks signing: a secret per endpoint (`whsec_` and base64), and the
`webhook-id`, `webhook-timestamp` and `webhook-signature` headers of a message."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 # the format's prefix, not a secret
SECRET_BYTES = 32  # the HMAC-SHA256 key's full strength


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def headers(secret: str, message_id: str, body: str, at: datetime) -> dict[str, str]:
    """The signature headers of `body` sent at `at` (the same id on every attempt; the
    timestamp and signature are the attempt's)."""
    at = at.astimezone(UTC)  # the library reads the clock fields as UTC
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
    }
