"""Test doubles for SDK unit tests: a fake clock whose sleep moves time, and a scripted API behind MockTransport."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from kasse.sdk import AsyncClient, Client, RetryPolicy

CREDENTIALS: dict[str, str] = {
    "client_id": "client-1",
    "client_secret": "secret-1",
    "subscription_key": "sub-key-1",
    "merchant_serial_number": "123456",
}
T0 = 1_700_000_000.0


class FakeClock:
    """Epoch seconds that only move when someone sleeps (or `advance` is called); records every sleep."""

    def __init__(self, now: float = T0) -> None:
        self.now = now
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


def token_body(value: str = "token-1", *, now: float = T0, lifetime: int = 3600) -> dict[str, str]:
    """An `/accesstoken/get` answer as the contract shows it: every field a string."""
    return {
        "token_type": "Bearer",
        "expires_in": str(lifetime),
        "ext_expires_in": "0",
        "expires_on": str(int(now) + lifetime),
        "not_before": str(int(now)),
        "resource": "00000002-0000-0000-c000-000000000000",
        "access_token": value,
    }


Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeApi:
    """Answers requests from per-path scripts; records every request. Token calls get fresh tokens."""

    scripts: dict[str, list[Reply]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    token_lifetime: int = 3600
    clock: FakeClock | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, path: str, *replies: Reply) -> FakeApi:
        self.scripts.setdefault(path, []).extend(replies)
        return self

    def token_fetches(self) -> int:
        return len(self.to("/accesstoken/get"))

    def to(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path]

    def _next(self, request: httpx.Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            queue = self.scripts.get(request.url.path)
            if queue:
                return queue.pop(0) if len(queue) > 1 else queue[0]
            if request.url.path == "/accesstoken/get":
                now = self.clock() if self.clock else T0
                return httpx.Response(200, json=token_body(f"token-{self.token_fetches()}", now=now,
                                                           lifetime=self.token_lifetime))
        return httpx.Response(404, json={"title": "Not Found", "status": 404})

    def handle(self, request: httpx.Request) -> httpx.Response:
        reply = self._next(request)
        if isinstance(reply, Exception):
            raise reply
        return reply(request) if callable(reply) else reply

    async def ahandle(self, request: httpx.Request) -> httpx.Response:
        return self.handle(request)

    def client(self, clock: FakeClock | None = None, *, attempts: int = 3, draws: Iterable[float] = (),
               **options: Any) -> Client:
        clock = clock or self.clock or FakeClock()
        rng = _draws(draws)
        transport = options.pop("transport", httpx.MockTransport(self.handle))
        return Client(**CREDENTIALS, base_url="https://kasse.test", transport=transport,
                      retry=RetryPolicy(max_attempts=attempts), sleep=clock.sleep, rng=rng, clock=clock, **options)

    def async_client(self, clock: FakeClock | None = None, *, attempts: int = 3, **options: Any) -> AsyncClient:
        clock = clock or self.clock or FakeClock()
        transport = options.pop("transport", httpx.MockTransport(self.ahandle))
        return AsyncClient(**CREDENTIALS, base_url="https://kasse.test", transport=transport,
                           retry=RetryPolicy(max_attempts=attempts), sleep=clock.async_sleep, rng=lambda: 0.5,
                           clock=clock, **options)


def _draws(values: Iterable[float]) -> Callable[[], float]:
    queue = list(values)
    return lambda: queue.pop(0) if queue else 0.5


def problem(status: int, code: str | None = None, headers: dict[str, str] | None = None,
            **fields: Any) -> httpx.Response:
    """An ePayment-style problem+json response."""
    body: dict[str, Any] = {"type": f"https://httpstatuses.io/{status}", "title": "Problem", "status": status,
                            "traceId": "00-trace-01", **fields}
    if code is not None:
        body["extraDetails"] = [{"name": "ErrorCode", "reason": code}]
    return httpx.Response(status, content=json.dumps(body).encode(), headers={
        "content-type": "application/problem+json", **(headers or {})})


PAYMENT: dict[str, Any] = {
    "reference": "order-1001",
    "state": "CREATED",
    "amount": {"currency": "NOK", "value": 49900},
    "aggregate": {name: {"currency": "NOK", "value": 0}
                  for name in ("authorizedAmount", "cancelledAmount", "capturedAmount", "refundedAmount")},
    "paymentMethod": {"type": "WALLET"},
    "profile": {},
    "pspReference": "psp-1",
}


def payment_body(state: str = "CREATED") -> dict[str, Any]:
    return {**PAYMENT, "state": state}
