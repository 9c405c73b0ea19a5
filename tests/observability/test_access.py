"""Who may read the metrics: the bearer key, or an address in the allowed networks."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from planner.observability.access import allowed

KEY = "k" * 40
LOOPBACK = [ip_network("127.0.0.0/8"), ip_network("::1/128")]


@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        (f"Bearer {KEY}", True),
        (f"bearer {KEY}", True),  # the scheme is case-insensitive (RFC 9110)
        (f"Bearer {KEY[:-1]}", False),
        (f"Bearer {KEY}x", False),
        (f"Basic {KEY}", False),
        ("", False),
        ("Bearer ", False),
    ],
)
def test_the_key_opens_from_any_address(authorization: str, expected: bool):
    assert allowed("203.0.113.9", authorization, token=KEY, networks=[]) is expected


def test_no_key_configured_means_no_key_is_accepted():
    assert not allowed("203.0.113.9", "Bearer ", token="", networks=[])
    assert not allowed("203.0.113.9", "Bearer anything", token="", networks=[])


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),  # an IPv4 peer on a dual-stack socket
        ("10.0.0.1", False),
        ("2001:db8::1", False),
        ("", False),
        ("not-an-address", False),
    ],
)
def test_allowed_networks_open_without_the_key(address: str, expected: bool):
    assert allowed(address, "", token=KEY, networks=LOOPBACK) is expected


def test_an_address_outside_the_networks_needs_the_key():
    networks = [ip_network("10.42.0.0/16")]
    assert allowed("10.42.3.4", "", token="", networks=networks)
    assert not allowed("10.43.0.1", "", token="", networks=networks)
    assert allowed("10.43.0.1", f"Bearer {KEY}", token=KEY, networks=networks)
