"""Where a production kasse may send webhooks: public addresses only, however the host is spelled.

A URL's host can name an address in many spellings: decimal `2130706433`, hex `0x7f000001`, octal
`0177.0.0.1`, short `127.1`, IPv6, IPv4-mapped or 6to4 IPv6, trailing dots, full-width digits,
percent-escapes. Each is read the way resolvers and URL parsers read it, and the address is refused
when it is loopback, link-local, private, CGNAT (100.64/10), unspecified, multicast or otherwise not
globally routable, unless it lies in a network the operator allowed (KASSE_WEBHOOK_ALLOW_NETWORKS).
Names are checked again by the sender where they resolve, so a name that later points inside
(DNS rebinding) is refused too. Pure: no resolving here.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the last 32 bits are an IPv4 address
LOCAL_NAMES = ("localhost",)  # RFC 6761: `localhost` and every name below it are this machine

_DIGITS = {16: re.compile(r"[0-9a-f]*"), 8: re.compile(r"[0-7]*"), 10: re.compile(r"[0-9]+")}
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")

# the first that applies names the refusal
_KINDS: tuple[tuple[str, Callable[[Address], bool]], ...] = (
    ("an unspecified address", lambda a: a.is_unspecified),
    ("a loopback address", lambda a: a.is_loopback),
    ("a link-local address", lambda a: a.is_link_local),
    ("a multicast address", lambda a: a.is_multicast),
    ("a carrier-grade NAT address (100.64.0.0/10)", lambda a: a in CGNAT),
    ("a private address", lambda a: a.is_private),
    ("a reserved address", lambda a: a.is_reserved),
    ("not a public address", lambda a: not a.is_global),
)


def parse_networks(text: str) -> tuple[Network, ...]:
    """Parse a comma- or space-separated list of networks such as `192.168.1.0/24, fd00::/8`.

    Raises:
        ValueError: an entry is not an IP network; the message names it.
    """
    networks = []
    for entry in text.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP network such as 192.168.1.0/24") from None
    return tuple(networks)


def _number(label: str) -> int | None:
    if label.startswith("0x"):
        digits, base = label[2:], 16
    elif len(label) > 1 and label.startswith("0"):
        digits, base = label[1:], 8
    else:
        digits, base = label, 10
    if not _DIGITS[base].fullmatch(digits):
        return None
    return int(digits, base) if digits else 0


def _ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Read a host as inet_aton and the URL standard do (`127.1`, `0x7f.1`, `2130706433`); None for a name.

    Raises:
        ValueError: it ends in a number, so it is meant as an address, but is not a valid one.
    """
    labels = host.split(".")
    if len(labels) > 1 and labels[-1] == "":
        labels.pop()
    if not _NUMERIC_LABEL.fullmatch(labels[-1]):
        return None
    numbers = [_number(label) for label in labels]
    if len(numbers) > 4 or any(n is None for n in numbers):
        raise ValueError(f"{host!r} is not a valid IPv4 address")
    parts = [n for n in numbers if n is not None]
    if any(n > 255 for n in parts[:-1]) or parts[-1] >= 256 ** (5 - len(parts)):
        raise ValueError(f"{host!r} is not a valid IPv4 address")
    return ipaddress.IPv4Address(parts[-1] + sum(n << (8 * (3 - i)) for i, n in enumerate(parts[:-1])))


def normalise_host(host: str) -> str:
    """Return the host as a resolver sees it: unescaped, IDNA-mapped to ASCII, lower case, no trailing dot.

    Raises:
        ValueError: it is not a valid host name.
    """
    text = unquote(host)
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):  # `%00`, `%0a`: no name has one
        raise ValueError(f"{host!r} is not a valid host name")
    text = text.strip("[]").lower()
    if ":" in text:  # IPv6, perhaps with a zone
        return text
    try:
        text = text.encode("idna").decode("ascii").lower()  # nameprep maps full-width digits and dots
    except UnicodeError:
        raise ValueError(f"{host!r} is not a valid host name") from None
    return text.rstrip(".") if text.strip(".") else text


def host_address(host: str) -> Address | None:
    """Return the address a host names in any spelling, or None when it is a name to resolve.

    Raises:
        ValueError: it is neither a valid name nor a valid address.
    """
    text = normalise_host(host)
    if ":" in text:
        try:
            return ipaddress.IPv6Address(text)
        except ValueError:
            raise ValueError(f"{host!r} is not a valid IPv6 address") from None
    return _ipv4(text)


def _embedded(address: Address) -> ipaddress.IPv4Address | None:
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _kind(address: Address) -> str | None:
    return next((kind for kind, applies in _KINDS if applies(address)), None)


@dataclass(frozen=True, slots=True)
class TargetPolicy:
    """Production's rule for webhook targets: public addresses, plus the networks the operator allowed."""

    allowed: tuple[Network, ...] = ()

    def _allows(self, address: Address) -> bool:
        return any(address.version == n.version and address in n for n in self.allowed)

    def address_refusal(self, address: Address) -> str | None:
        """Return why kasse may not connect to `address`, or None when it may."""
        if self._allows(address):
            return None
        inner = _embedded(address)
        if inner is not None:
            kind = None if self._allows(inner) else _kind(inner)
            return None if kind is None else f"{address} is {kind} (it embeds {inner})"
        kind = _kind(address)
        return None if kind is None else f"{address} is {kind}"

    def host_refusal(self, host: str) -> str | None:
        """Return why a URL with this host may not be registered, or None (a name is checked again on connect)."""
        try:
            address = host_address(host)
        except ValueError as exc:
            return str(exc)
        if address is None:
            name = normalise_host(host)
            if any(name == n or name.endswith("." + n) for n in LOCAL_NAMES):
                return f"{name!r} names this machine"
            return None
        return self.address_refusal(address)


def refusals(policy: TargetPolicy, addresses: Sequence[str]) -> list[str]:
    """Return the refusals of every resolved address (all must pass: one bad answer refuses the name)."""
    found = []
    for text in addresses:
        try:
            why = policy.address_refusal(ipaddress.ip_address(text.split("%", 1)[0]))
        except ValueError:
            why = f"{text!r} is not an IP address"
        if why is not None:
            found.append(why)
    return found
