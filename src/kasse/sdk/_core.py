"""Sending a `Call`: headers, token, retries, errors; once for threads (`SyncCore`), once for asyncio.

Both loops follow `_Attempts`, so the retry rule (`_retry.py`) and the one token refresh after a 401
are decided in one place. A 401 means the request was refused before it did anything, so even a call
that is never retried is sent once more with a fresh token.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from kasse.sdk._call import Call
from kasse.sdk._config import Config
from kasse.sdk._errors import NetworkError, PermissionDeniedError, UnexpectedResponseError, error_from_response
from kasse.sdk._retry import retry_after_seconds
from kasse.sdk._tokens import AccessToken, AsyncTokens, SyncTokens, token_call

T = TypeVar("T")

Rng = Callable[[], float]
Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class _Retry:
    delay: float
    refresh_token: bool = False


class _Attempts:
    """The retry bookkeeping of one call: which attempt this is, and what to do after an outcome."""

    def __init__(self, config: Config, call: Call[Any], rng: Rng) -> None:
        self._policy = config.retry
        self._call = call
        self._rng = rng
        self._attempt = 0
        self._refreshed = False

    def start(self) -> None:
        self._attempt += 1

    def after_error(self, exc: httpx.TransportError) -> float:
        delay = self._policy.delay_after_error(exc, self._attempt, self._call.replayable, self._rng())
        if delay is None:
            raise NetworkError(f"{self._call.method} {self._call.path}: {type(exc).__name__}: {exc}") from exc
        return delay

    def after_response(self, response: httpx.Response) -> _Retry | None:
        """Return None when `response` is the answer, a `_Retry` to try again; raise an `ApiError` otherwise."""
        if response.is_success:
            return None
        if response.status_code == 401 and self._call.authenticated and not self._refreshed:
            self._refreshed = True
            self._attempt -= 1  # a refused token is not the server failing
            return _Retry(0.0, refresh_token=True)
        retry_after = retry_after_seconds(response.headers)
        delay = self._policy.delay_after_status(
            response.status_code, retry_after, self._attempt, self._call.replayable, self._rng()
        )
        if delay is None:
            raise error_from_response(response, retry_after)
        return _Retry(delay)


def _request(http: httpx.Client | httpx.AsyncClient, config: Config, call: Call[T], token: str | None) -> httpx.Request:
    headers = {"User-Agent": config.user_agent, **(config.api_headers(token) if token else {}), **call.headers}
    if call.idempotency_key is not None:
        headers["Idempotency-Key"] = call.idempotency_key
    if call.form is not None:
        return http.build_request(call.method, call.path, headers=headers, params=call.params, data=call.form)
    if call.body is None:
        return http.build_request(call.method, call.path, headers=headers, params=call.params)
    return http.build_request(call.method, call.path, headers=headers, params=call.params, json=call.body)


# accounting-partner keys work for the Report API only (Report API contract §1.1)
PARTNER_PATHS = ("/settlement/", "/report/", "/miami/")


def check_allowed(config: Config, call: Call[Any]) -> None:
    """Refuse, without sending it, a call an accounting partner's token cannot make."""
    if config.partner and not call.path.startswith(PARTNER_PATHS):
        raise PermissionDeniedError(403, title="Forbidden", detail=f"{call.method} {call.path}: an accounting "
                                    "partner's keys read only the Report API (client.reports)")


def _decode(call: Call[T], response: httpx.Response) -> T:
    try:
        return call.decode(response)
    except (ValueError, TypeError) as exc:
        raise UnexpectedResponseError(f"{call.method} {call.path} answered {response.status_code}: {exc}") from exc


class SyncCore:
    """Sends calls for `Client` over one `httpx.Client`."""

    def __init__(self, config: Config, *, transport: httpx.BaseTransport | None, sleep: Callable[[float], None],
                 rng: Rng | None, clock: Clock) -> None:
        self.config = config
        self.sleep = sleep
        self.clock = clock
        self._rng = rng or random.random
        self.http = httpx.Client(base_url=config.base_url, timeout=config.timeout, transport=transport)
        self.tokens = SyncTokens(self._fetch_token, clock)

    def _fetch_token(self) -> AccessToken:
        return self.run(token_call(self.config, self.clock))

    def run(self, call: Call[T]) -> T:
        """Send `call`, retrying as the policy allows, and return its decoded answer."""
        return _decode(call, self.send(call))

    def send(self, call: Call[T]) -> httpx.Response:
        """Send `call` and return the successful response.

        Raises:
            ApiError: the server refused it (after any retries).
            NetworkError: no answer (after any retries).
        """
        check_allowed(self.config, call)
        attempts = _Attempts(self.config, call, self._rng)
        while True:
            attempts.start()
            token = self.tokens.get() if call.authenticated else None
            try:
                response = self.http.send(_request(self.http, self.config, call, token))
            except httpx.TransportError as exc:
                self.sleep(attempts.after_error(exc))
                continue
            step = attempts.after_response(response)
            if step is None:
                return response
            if step.refresh_token and token is not None:
                self.tokens.forget(token)
            else:
                self.sleep(step.delay)


class AsyncCore:
    """Sends calls for `AsyncClient` over one `httpx.AsyncClient`."""

    def __init__(self, config: Config, *, transport: httpx.AsyncBaseTransport | None,
                 sleep: Callable[[float], Awaitable[None]] | None, rng: Rng | None, clock: Clock) -> None:
        self.config = config
        self.sleep = sleep or asyncio.sleep
        self.clock = clock
        self._rng = rng or random.random
        self.http = httpx.AsyncClient(base_url=config.base_url, timeout=config.timeout, transport=transport)
        self.tokens = AsyncTokens(self._fetch_token, clock)

    async def _fetch_token(self) -> AccessToken:
        return await self.run(token_call(self.config, self.clock))

    async def run(self, call: Call[T]) -> T:
        """Send `call`, retrying as the policy allows, and return its decoded answer."""
        return _decode(call, await self.send(call))

    async def send(self, call: Call[T]) -> httpx.Response:
        """Send `call` and return the successful response (see `SyncCore.send`)."""
        check_allowed(self.config, call)
        attempts = _Attempts(self.config, call, self._rng)
        while True:
            attempts.start()
            token = await self.tokens.get() if call.authenticated else None
            try:
                response = await self.http.send(_request(self.http, self.config, call, token))
            except httpx.TransportError as exc:
                await self.sleep(attempts.after_error(exc))
                continue
            step = attempts.after_response(response)
            if step is None:
                return response
            if step.refresh_token and token is not None:
                self.tokens.forget(token)
            else:
                await self.sleep(step.delay)


def system_clock() -> float:
    """Return the wall clock in epoch seconds, the scale of a token's `expires_on`."""
    return time.time()
