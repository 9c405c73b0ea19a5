"""Which webhook URLs and addresses Planner may send to: pure rules, the resolving is
elsewhere (`network`).

A URL must be http(s) with a host and no user name or password in it; unless private
addresses are allowed (development, tests), only https, and every address the host
resolves to must be public: not private, loopback, link-local, multicast, reserved,
unspecified or shared (carrier-grade NAT), nor an IPv6 form of one of those.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

MAX_URL = 2000

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(Exception):
    """The URL or an address it resolves to may not be sent to; the message says why."""


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str  # without brackets for IPv6
    port: int
    path: str  # with the query, if any


def parse_url(url: str, *, allow_private: bool) -> Target:
    """The URL's parts, or AddressRefused with a message for the URL field."""
    if len(url) > MAX_URL:
        raise AddressRefused(_("The URL is too long."))
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise AddressRefused(_("Enter a valid URL.")) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise AddressRefused(_("Enter a full URL starting with https://."))
    if parts.scheme != "https" and not allow_private:
        raise AddressRefused(_("Use an https:// URL: Planner sends webhooks over HTTPS only."))
    if parts.username or parts.password:
        raise AddressRefused(_("Leave the user name and password out of the URL."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, parts.hostname, port or default, path)


def is_public(address: Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None) or getattr(address, "sixtofour", None)
    if mapped is not None:
        return is_public(mapped)
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_link_local
    )


def check_address(address: Address, *, allow_private: bool) -> None:
    if not allow_private and not is_public(address):
        raise AddressRefused(
            _(
                "This URL leads to a private or reserved address (%(address)s); Planner "
                "sends only to public addresses."
            )
            % {"address": address}
        )
