"""Who may read the metrics: a bearer key, or an address in the allowed networks.

Metrics name the app's views, its traffic and its queues: not public in production. With
neither a key nor a network configured, `/metrics` does not exist (404).
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Address, IPv6Network, ip_address


def allowed(
    remote_addr: str,
    authorization: str,
    *,
    token: str,
    networks: Sequence[IPv4Network | IPv6Network],
) -> bool:
    """Whether a request from `remote_addr` with this Authorization header may scrape."""
    if token:
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            credentials.strip().encode(), token.encode()
        ):
            return True
    try:
        address = ip_address(remote_addr)
    except ValueError:
        return False
    if isinstance(address, IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # a dual-stack socket's form of an IPv4 peer
    return any(address in network for network in networks)
