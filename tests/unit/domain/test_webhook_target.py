"""Production webhooks go to public addresses only, however the host is spelled; an operator may allow a LAN."""

from __future__ import annotations

import re

import pytest

from kasse.domain.webhook_target import TargetPolicy, host_address, parse_networks, refusals

POLICY = TargetPolicy()

# host as it stands in a URL -> the kind of address it names
INSIDE = {
    "169.254.169.254": "link-local",
    "127.0.0.1": "loopback",
    "::1": "loopback",
    "[::1]": "loopback",
    "10.0.0.1": "private",
    "192.168.1.20": "private",
    "172.16.5.4": "private",
    "2130706433": "loopback",  # decimal
    "0x7f000001": "loopback",  # hex
    "0X7F.0.0.1": "loopback",
    "0177.0.0.1": "loopback",  # octal
    "127.1": "loopback",  # short form
    "127.0.0.1.": "loopback",  # trailing dot
    "::ffff:127.0.0.1": "loopback",  # IPv4-mapped IPv6
    "::ffff:a00:1": "private",
    "2002:7f00:1::": "loopback",  # 6to4
    "64:ff9b::a9fe:a9fe": "link-local",  # NAT64
    "fe80::1%25eth0": "link-local",
    "fd12:3456::1": "private",
    "100.64.0.1": "carrier-grade NAT",
    "100.127.255.254": "carrier-grade NAT",
    "0.0.0.0": "unspecified",
    "0": "unspecified",
    "::": "unspecified",
    "224.0.0.1": "multicast",
    "ff02::1": "multicast",
    "240.0.0.1": "private",
    "::7f00:1": "reserved",  # IPv4-compatible IPv6
    "１２７．０．０．１": "loopback",  # full-width digits and dots
    "%31%32%37.0.0.1": "loopback",  # percent-escaped
}
LOCAL_NAMES = ["localhost", "LOCALHOST", "localhost.", "api.localhost", "ｌｏｃａｌｈｏｓｔ"]
INVALID = ["1.2.3.999", "1.2.3.4.5", "0x1g.0.0.1", "a..b", "::ffff:1.2.3", "1.2.3.08"]
PUBLIC = ["example.com", "pos.example.com.", "8.8.8.8", "134744072", "2001:4860:4860::8888", "::ffff:8.8.8.8",
          "64:ff9b::808:808", "100.128.0.1"]


@pytest.mark.parametrize(("host", "kind"), INSIDE.items())
def test_every_spelling_of_an_inside_address_is_refused(host: str, kind: str) -> None:
    why = POLICY.host_refusal(host)

    assert why is not None
    assert kind in why


@pytest.mark.parametrize("host", LOCAL_NAMES)
def test_localhost_in_any_spelling_is_refused(host: str) -> None:
    assert "names this machine" in (POLICY.host_refusal(host) or "")


@pytest.mark.parametrize("host", INVALID)
def test_a_host_that_ends_in_a_number_but_is_no_address_is_refused(host: str) -> None:
    assert "not a valid" in (POLICY.host_refusal(host) or "")


@pytest.mark.parametrize("host", PUBLIC)
def test_public_hosts_and_names_pass(host: str) -> None:
    assert POLICY.host_refusal(host) is None


@pytest.mark.parametrize(("host", "address"), [("2130706433", "127.0.0.1"), ("0x7f.1", "127.0.0.1"),
                                               ("10.1", "10.0.0.1"), ("192.168.257", "192.168.1.1"),
                                               ("example.com", None)])
def test_hosts_read_as_the_resolver_reads_them(host: str, address: str | None) -> None:
    found = host_address(host)

    assert (str(found) if found else None) == address


def test_an_allowed_network_lets_its_addresses_through_and_no_others() -> None:
    lan = TargetPolicy(parse_networks("192.168.1.0/24, fd00::/8"))

    assert lan.host_refusal("192.168.1.20") is None
    assert lan.host_refusal("::ffff:192.168.1.20") is None
    assert lan.host_refusal("fd00::5") is None
    assert lan.host_refusal("192.168.2.20") is not None
    assert lan.host_refusal("127.0.0.1") is not None


def test_a_bad_network_setting_names_the_entry() -> None:
    with pytest.raises(ValueError, match=re.escape("'192.168.1.0/33'")):
        parse_networks("10.0.0.0/8 192.168.1.0/33")


def test_one_inside_answer_refuses_a_resolved_name() -> None:
    assert refusals(POLICY, ["93.184.216.34", "127.0.0.1"]) == ["127.0.0.1 is a loopback address"]
    assert refusals(POLICY, ["93.184.216.34", "2606:2800:220:1::"]) == []
