"""Resolving an endpoint's host and posting to it: the one module that talks to the
network. Each request goes to an address checked just before (not to whatever the name
resolves to when the connection opens), which defeats DNS rebinding; TLS still checks the
certificate against the host name.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from planner.webhooks.addresses import (
    Address,
    AddressRefused,
    Target,
    check_address,
    parse_url,
)

USER_AGENT = "Planner-Webhooks/1.0"
ANSWER_BYTES = 2048  # read this much of an answer for the lead, no more


class HostNotFound(Exception):
    """The host name does not resolve (now): refused at registration, retried later."""


def resolve(host: str, port: int) -> list[Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise HostNotFound(_("Planner cannot find the host %(host)s.") % {"host": host}) from error
    found: list[Address] = []
    for *_rest, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in found:
            found.append(address)
    return found


def check_url(url: str) -> tuple[Target, list[Address]]:
    """The URL's parts and the addresses to send to, all checked; raises AddressRefused or
    HostNotFound."""
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE
    target = parse_url(url, allow_private=allow_private)
    addresses = resolve(target.host, target.port)
    for address in addresses:
        # Every address, not just the first: a name with one public and one private
        # address could be steered to the private one.
        check_address(address, allow_private=allow_private)
    return target, addresses


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    text: str  # the start of the body
    retry_after: float | None  # seconds, from a Retry-After header in seconds


def post(url: str, body: str, headers: dict[str, str]) -> Answer:
    """POST `body` (JSON) to `url` at a freshly checked address; redirects are not
    followed. Raises AddressRefused, HostNotFound or httpx.HTTPError."""
    target, addresses = check_url(url)
    address = addresses[0]
    literal = f"[{address}]" if address.version == 6 else str(address)
    named = f"[{target.host}]" if ":" in target.host else target.host
    default_port = 443 if target.scheme == "https" else 80
    host_header = named if target.port == default_port else f"{named}:{target.port}"
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    with (
        httpx.Client(
            timeout=settings.WEBHOOKS_TIMEOUT_SECONDS, follow_redirects=False, trust_env=False
        ) as client,
        client.stream(
            "POST",
            f"{target.scheme}://{literal}:{target.port}{target.path}",
            content=body.encode(),
            headers={
                **headers,
                "Host": host_header,
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
            },
            extensions=extensions,
        ) as response,
    ):
        start = b""
        for chunk in response.iter_bytes():
            start += chunk
            if len(start) >= ANSWER_BYTES:
                break
        text = start[:ANSWER_BYTES].decode(response.encoding or "utf-8", errors="replace")
        return Answer(response.status_code, text, _seconds(response.headers.get("retry-after")))


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: the backoff decides


__all__ = ["AddressRefused", "Answer", "HostNotFound", "check_url", "post", "resolve"]
