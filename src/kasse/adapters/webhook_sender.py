"""Sending one webhook delivery over HTTP: sign it (contract §8.3), POST it, say how it went.

aiohttp, not httpx: measured on the 2-core reference box, httpx's connection pool cost 0.9 ms of CPU
per POST at one connection and 3-7 ms at 64, which caps delivery near 300/s; aiohttp costs about
0.13 ms at any concurrency (bench/webhooks.py). The signature's `x-ms-date` comes from the wall
clock, not kasse's movable clock: receivers check that date against their own clock, so a test
that moved kasse's clock forward must not make every webhook look forged. Redirects are not
followed (contract §8.1: the URL must not redirect). In production a `TargetPolicy` keeps every
connection on public addresses (adapters/webhook_targets.py).
"""

from __future__ import annotations

import time
from datetime import datetime

import aiohttp
from aiohttp.abc import AbstractResolver

from kasse.adapters.webhook_targets import CheckedResolver, TargetRefusedError, url_refusal
from kasse.domain.webhook_delivery import DeliveryJob
from kasse.domain.webhook_signature import sign
from kasse.domain.webhook_target import TargetPolicy
from kasse.services.deliveries import AttemptResult
from kasse.services.ports import Clock

TIMEOUT = 10.0  # contract §8.3: the receiver has 10 s to answer
MAX_CONNECTIONS = 64
_KEPT_BODY = 200  # characters of a refusing receiver's body kept in the attempt log
_USER_AGENT = "kasse-webhooks"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {TIMEOUT:g} s"
    if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(exc.os_error, TargetRefusedError):
        return str(exc.os_error)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"could not connect: {exc.os_error or exc}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class AiohttpWebhookSender:
    """POSTs signed deliveries through one pooled `aiohttp.ClientSession`, made on first use in the running loop."""

    def __init__(self, wall_clock: Clock, *, timeout: float = TIMEOUT, max_connections: int = MAX_CONNECTIONS,
                 targets: TargetPolicy | None = None, resolver: AbstractResolver | None = None) -> None:
        """`targets`: production's rule for where webhooks may go (None: anywhere, test mode)."""
        self.wall_clock = wall_clock
        self.timeout = timeout
        self.max_connections = max_connections
        self.targets = targets
        self.resolver = resolver  # the resolver under the policy's check (tests give a fake one)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            resolver = self.resolver if self.targets is None else CheckedResolver(self.targets, self.resolver)
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.max_connections, resolver=resolver),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                headers={"user-agent": _USER_AGENT},
                trust_env=False,
                auto_decompress=False,
            )
        return self._session

    def headers(self, job: DeliveryJob) -> dict[str, str]:
        """Sign the job as of now; test faults sign with a wrong secret or body, or send one signing twice."""
        headers = sign(job.secret, job.url, job.payload, self.wall_clock.now()).as_dict()
        headers["content-type"] = "application/json"
        return headers

    async def send(self, job: DeliveryJob, sent_at: datetime) -> AttemptResult:
        """Make one attempt; never raises: every failure becomes the attempt's error text."""
        return await self.post(job, sent_at, self.headers(job))

    async def post(self, job: DeliveryJob, sent_at: datetime, headers: dict[str, str]) -> AttemptResult:
        """POST the job's payload with these headers; never raises, like `send`."""
        started = time.perf_counter()
        code: int | None = None
        error = None if self.targets is None else url_refusal(self.targets, job.url)
        if error is not None:
            return AttemptResult(job, sent_at, None, 0, error)
        try:
            async with self._http().post(job.url, data=job.payload, headers=headers, allow_redirects=False) as r:
                code = r.status
                body = await r.content.read(4096)  # read (a little) so the connection can be reused
                if not 200 <= code < 300:
                    text = body[:_KEPT_BODY].decode("utf-8", "replace")
                    error = f"HTTP {code}: {text}" if text else f"HTTP {code}"
        except Exception as exc:  # any failure to get an answer is a refused attempt, retried on schedule
            error = _describe(exc)
        latency = round((time.perf_counter() - started) * 1000)
        return AttemptResult(job, sent_at, code, latency, error)

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()
