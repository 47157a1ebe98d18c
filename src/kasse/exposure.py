"""Who can reach this kasse: a test instance on loopback (zero friction) or one exposed to other people.

kasse is *exposed* in production mode, when it listens beyond loopback, or when its public URL names
another host (a reverse proxy in front). Exposed, the POS asks staff to sign in and `/_kasse` and
`/console` ask for the operator token. A request counts as local only on a loopback test instance, and
only if nothing says it came from elsewhere: a forwarding header, a peer address off loopback, or a
`Host` that is not a loopback name (a DNS-rebinding page on another site sends its own host name).
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from collections.abc import Mapping
from urllib.parse import urlsplit

from starlette.types import Scope

LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})
FORWARDING_HEADERS = (b"forwarded", b"x-forwarded-for", b"x-forwarded-host", b"x-real-ip")


def is_loopback_host(host: str | None) -> bool:
    """Tell whether a host name or address (brackets and port allowed) can only mean this machine."""
    if not host:
        return False
    name = host.strip().lower()
    if name.startswith("["):
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


UNSPECIFIED = frozenset({"", "0.0.0.0", "::", "[::]"})
# an address of the documentation range (RFC 5737): a UDP connect to it picks a route and sends nothing
ROUTE_PROBE = ("192.0.2.1", 9)


@functools.cache
def network_address() -> str:
    """This machine's address as other devices on its network reach it, for a server bound to every address.

    Printing `http://0.0.0.0:8000` would send a phone nowhere; the address of the default route's
    interface is what a device beside this one can open. The machine's name when there is no route.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(ROUTE_PROBE)
            address: str = probe.getsockname()[0]
            return address
    except OSError:
        return socket.gethostname()


def reachable_host(host: str) -> str:
    """The host to put in links: the network address for a server bound to every address, else `host`."""
    return network_address() if host.strip() in UNSPECIFIED else host


def url_is_loopback(url: str) -> bool:
    """Tell whether a URL's host is a loopback name or address."""
    return is_loopback_host(urlsplit(url).netloc.rpartition("@")[2])


def _headers(scope: Scope) -> Mapping[bytes, bytes]:
    return dict(scope.get("headers") or ())


def request_is_local(scope: Scope, exposed: bool) -> bool:
    """Tell whether a request reached a loopback test instance straight from this machine."""
    if exposed:
        return False
    headers = _headers(scope)
    if any(name in headers for name in FORWARDING_HEADERS):
        return False
    host = headers.get(b"host")  # absent only in HTTP/1.0, which no browser (and no rebinding page) speaks
    if host is not None and not is_loopback_host(host.decode("latin-1")):
        return False
    client = scope.get("client")
    if client:
        try:
            return ipaddress.ip_address(client[0]).is_loopback
        except ValueError:
            return True  # not an address (an in-process test client): the listener is loopback only
    return True


def request_is_https(scope: Scope) -> bool:
    """Tell whether the browser used https: directly, or through a proxy that says so (X-Forwarded-Proto)."""
    forwarded = _headers(scope).get(b"x-forwarded-proto", b"").decode("latin-1").split(",")[0].strip().lower()
    return scope.get("scheme") == "https" or forwarded == "https"
