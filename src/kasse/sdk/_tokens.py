"""Access tokens (contract §2.1): fetched on first use, shared, renewed shortly before they expire.

Exactly one fetch runs at a time: concurrent callers that find no usable token wait on one lock
(a thread lock for `Client`, an asyncio lock for `AsyncClient`) and then share what it fetched.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

import httpx

from kasse.sdk._call import Call
from kasse.sdk._config import Config
from kasse.sdk._wire import WireFormatError


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A bearer token and the moment (epoch seconds) from which the client fetches a new one."""

    value: str = field(repr=False)
    refresh_at: float


def read_token(data: object, now: float, margin: float) -> AccessToken:
    """Return the token in an `/accesstoken/get` or `/miami/v1/token` answer, whose fields are strings (§2.1).

    The refresh moment is `expires_on` less the margin, but never earlier than half the lifetime,
    so a short-lived token is still used for a while.
    """
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
        raise WireFormatError("$: expected an object with an access_token string")
    try:
        lifetime = float(data.get("expires_in") or 0)
        expires_on = float(data["expires_on"]) if data.get("expires_on") else now + lifetime
    except (TypeError, ValueError):
        raise WireFormatError("$: expires_in and expires_on must be numbers of seconds") from None
    lifetime = lifetime or max(0.0, expires_on - now)
    return AccessToken(data["access_token"], expires_on - min(margin, lifetime / 2))


def token_call(config: Config, clock: Callable[[], float]) -> Call[AccessToken]:
    """Return the call that fetches a token; fetching one twice does no harm, so it is replayable."""

    def decode(response: httpx.Response) -> AccessToken:
        return read_token(response.json(), clock(), config.token_refresh_margin)

    if config.partner:  # OAuth2 client credentials (Report API contract §1.1); the token lasts 15 minutes
        return Call("POST", "/miami/v1/token", decode, headers=config.token_headers(),
                    form={"grant_type": "client_credentials"}, replayable=True, authenticated=False)
    return Call("POST", "/accesstoken/get", decode, headers=config.token_headers(), replayable=True,
                authenticated=False)


class _Slot:
    """The current token, if any; the part of the cache that needs no lock to read."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.token: AccessToken | None = None

    def usable(self) -> str | None:
        token = self.token
        return token.value if token is not None and self._clock() < token.refresh_at else None

    def forget(self, value: str) -> None:
        # only the token that was refused: another caller may already have fetched a new one
        if self.token is not None and self.token.value == value:
            self.token = None


class SyncTokens:
    """The token cache of `Client`, safe to share between threads."""

    def __init__(self, fetch: Callable[[], AccessToken], clock: Callable[[], float],
                 lock: AbstractContextManager[object] | None = None) -> None:
        self._fetch = fetch
        self._slot = _Slot(clock)
        self._lock = lock or threading.Lock()

    def get(self) -> str:
        """Return a usable token, fetching one if there is none."""
        value = self._slot.usable()
        if value is not None:
            return value
        with self._lock:
            value = self._slot.usable()
            if value is None:
                self._slot.token = self._fetch()
                value = self._slot.token.value
            return value

    def forget(self, value: str) -> None:
        """Drop `value` after the server refused it, so the next call fetches a new one."""
        with self._lock:
            self._slot.forget(value)


class AsyncTokens:
    """The token cache of `AsyncClient`, safe to share between tasks of one event loop."""

    def __init__(self, fetch: Callable[[], Awaitable[AccessToken]], clock: Callable[[], float]) -> None:
        self._fetch = fetch
        self._slot = _Slot(clock)
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        """Return a usable token, fetching one if there is none."""
        value = self._slot.usable()
        if value is not None:
            return value
        async with self._lock:
            value = self._slot.usable()
            if value is None:
                self._slot.token = await self._fetch()
                value = self._slot.token.value
            return value

    def forget(self, value: str) -> None:
        """Drop `value` after the server refused it, so the next call fetches a new one."""
        self._slot.forget(value)
