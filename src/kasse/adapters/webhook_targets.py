"""Holding production webhooks to public addresses where they connect (domain/webhook_target.py has the rule).

Registration already refused every address spelling; here a name is resolved, every address it resolves
to is checked, and aiohttp connects only to the addresses that were checked, so a name that points
inside at send time (DNS rebinding, a changed record) is refused too. Hosts aiohttp treats as
addresses never reach a resolver, so the URL's own host is checked before the request as well.
"""

from __future__ import annotations

import socket

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

from kasse.domain.webhook_target import TargetPolicy, refusals

SETTING = "KASSE_WEBHOOK_ALLOW_NETWORKS"


class TargetRefusedError(OSError):
    """The webhook's host is, or resolves to, an address production may not send to."""


class CheckedResolver(AbstractResolver):
    """Resolves as aiohttp would, then refuses the whole name if any of its addresses breaks the policy."""

    def __init__(self, policy: TargetPolicy, inner: AbstractResolver | None = None) -> None:
        self.policy = policy
        self.inner = inner or DefaultResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        found = await self.inner.resolve(host, port, family)
        refused = refusals(self.policy, [result["host"] for result in found])
        if refused:
            raise TargetRefusedError(f"refused: {host} resolves inside: {refused[0]} (see {SETTING})")
        return found

    async def close(self) -> None:
        await self.inner.close()


def url_refusal(policy: TargetPolicy, url: str) -> str | None:
    """Return why the URL's own host may not be connected to, as aiohttp parses it, or None."""
    try:
        host = URL(url).host
    except ValueError as exc:
        return f"refused: {exc}"
    if not host:
        return "refused: the URL has no host"
    why = policy.host_refusal(host)
    return None if why is None else f"refused: {why} (see {SETTING})"
