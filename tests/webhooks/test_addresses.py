"""Which URLs and addresses Planner sends to: pure rules."""

from __future__ import annotations

import ipaddress

import pytest

from planner.webhooks.addresses import AddressRefused, check_address, is_public, parse_url


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "127.0.0.1",
        "0.0.0.0",  # noqa: S104 # an address refused, not one bound
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
    ],
)
def test_non_public_addresses_are_refused(address):
    assert not is_public(ipaddress.ip_address(address))
    with pytest.raises(AddressRefused, match="private or reserved address"):
        check_address(ipaddress.ip_address(address), allow_private=False)


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    assert is_public(ipaddress.ip_address(address))
    check_address(ipaddress.ip_address(address), allow_private=False)


def test_the_setting_allows_private_addresses():
    check_address(ipaddress.ip_address("127.0.0.1"), allow_private=True)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.org/x", "Use an https:// URL"),
        ("ftp://hooks.example.org/x", "starting with https://"),
        ("hooks.example.org/x", "starting with https://"),
        ("https://", "starting with https://"),
        ("https://user:pw@hooks.example.org/", "user name and password"),
        ("https://hooks.example.org:99999/", "valid URL"),
        ("https://hooks.example.org/" + "a" * 2000, "too long"),
    ],
)
def test_bad_urls_are_refused_with_a_reason(url, message):
    with pytest.raises(AddressRefused, match=message):
        parse_url(url, allow_private=False)


def test_a_url_keeps_its_path_query_and_port():
    target = parse_url("https://[2001:db8::1]:8443/a/b?x=1", allow_private=False)
    assert (target.host, target.port, target.path) == ("2001:db8::1", 8443, "/a/b?x=1")
    assert parse_url("http://localhost/", allow_private=True).port == 80
