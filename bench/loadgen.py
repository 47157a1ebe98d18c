"""A cheap HTTP/1.1 keep-alive load generator on raw asyncio streams.

Requests are pre-built bytes; a response is read as its head up to the blank line plus a
`content-length` body (chunked and read-to-close are handled, only slower). No header parsing
beyond the status, the length and `connection: close`. That keeps the client at a fraction of
the server's cost per request, which matters on a 2-core box where both share the CPU.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

MAX_ERROR_SAMPLES = 5
REQUEST_TIMEOUT = 30.0


class HttpConnection:
    """One keep-alive connection; reconnects after the server closes it or an I/O error."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self._reader, self._writer

    async def connect(self) -> None:
        """Open the connection now rather than at the first request (see `spread_connects`)."""
        if self._writer is None:
            await self._connect()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def request(self, data: bytes) -> tuple[int, bytes]:
        """Send one pre-built request; return (status, body). Raises OSError/IncompleteReadError on I/O failure.

        No per-request timeout (asyncio.wait_for costs a task per call); `run_closed_loop` bounds the phase.
        """
        try:
            return await self._exchange(data)
        except BaseException:
            self.close()
            raise

    async def _exchange(self, data: bytes) -> tuple[int, bytes]:
        if self._writer is None or self._reader is None:
            reader, writer = await self._connect()
        else:
            reader, writer = self._reader, self._writer
        writer.write(data)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        i = lower.find(b"\r\ncontent-length:")
        if i >= 0:
            n = int(lower[i + 17 : lower.find(b"\r\n", i + 17)])
            body = await reader.readexactly(n) if n else b""
        elif b"\r\ntransfer-encoding: chunked" in lower:
            body = await _read_chunked(reader)
        elif status in (204, 304) or status < 200:
            body = b""
        else:
            body = await reader.read()
            self.close()
        if b"\r\nconnection: close" in lower:
            self.close()
        return status, body


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers expected
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


class RequestBuilder:
    """Pre-encodes the headers every authenticated call carries."""

    def __init__(self, host: str, port: int, token: str, msn: str, subscription_key: str) -> None:
        self.host_header = f"Host: {host}:{port}\r\n".encode()
        self.auth = (
            f"Authorization: Bearer {token}\r\n"
            f"Ocp-Apim-Subscription-Key: {subscription_key}\r\n"
            f"Merchant-Serial-Number: {msn}\r\n"
        ).encode()

    def get(self, path: str, *, auth: bool = True) -> bytes:
        return b"GET " + path.encode() + b" HTTP/1.1\r\n" + self.host_header + (self.auth if auth else b"") + b"\r\n"

    def post(self, path: str, body: bytes, *, idempotency_key: str | None = None,
             extra_headers: bytes = b"", auth: bool = True) -> bytes:
        key = b"Idempotency-Key: " + idempotency_key.encode() + b"\r\n" if idempotency_key else b""
        return b"".join((
            b"POST ", path.encode(), b" HTTP/1.1\r\n", self.host_header, self.auth if auth else b"", extra_headers,
            b"Content-Type: application/json\r\nContent-Length: ", str(len(body)).encode(), b"\r\n", key,
            b"\r\n", body,
        ))


@dataclass
class Recorder:
    """Latencies (ms) and errors of the outcomes that complete inside the measured window."""

    start: float
    end: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    error_kinds: dict[str, int] = field(default_factory=dict)

    def ok(self, t0: float, t1: float) -> None:
        if self.start <= t1 <= self.end:
            self.latencies.append((t1 - t0) * 1000.0)

    def error(self, t1: float, kind: str, what: str) -> None:
        """Count an error; keep the first body of each kind (e.g. 'create HTTP 409'), up to a few kinds."""
        if self.start <= t1 <= self.end:
            self.errors += 1
            seen = self.error_kinds.get(kind, 0)
            self.error_kinds[kind] = seen + 1
            if not seen and len(self.error_samples) < MAX_ERROR_SAMPLES:
                self.error_samples.append(f"{kind}: {what[:400]}")


class StepFailedError(Exception):
    """A step of a scenario got a non-2xx answer or an I/O error (already recorded)."""


async def timed(conn: HttpConnection, data: bytes, rec: Recorder, label: str = "") -> bytes:
    """Send one request, record its latency or its error; raise StepFailedError on error."""
    t0 = time.perf_counter()
    try:
        status, body = await conn.request(data)
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
        rec.error(time.perf_counter(), f"{label} {type(exc).__name__}", repr(exc))
        await asyncio.sleep(0.05)  # do not spin on a dead server
        raise StepFailedError from None
    t1 = time.perf_counter()
    if 200 <= status < 300:
        rec.ok(t0, t1)
        return body
    rec.error(t1, f"{label} HTTP {status}", body.decode(errors="replace"))
    raise StepFailedError


Step = Callable[[int, HttpConnection, int], Awaitable[None]]
"""One unit of work: (connection index, connection, iteration) -> None; raises StepFailedError on error."""


async def run_closed_loop(conns: list[HttpConnection], step: Step, end: float) -> None:
    """Every connection runs `step` back to back until `end` (perf_counter time)."""

    async def worker(idx: int, conn: HttpConnection) -> None:
        i = 0
        while time.perf_counter() < end:
            with contextlib.suppress(StepFailedError):
                await step(idx, conn, i)
            i += 1

    tasks = [asyncio.ensure_future(worker(i, c)) for i, c in enumerate(conns)]
    _done, stuck = await asyncio.wait(tasks, timeout=max(0.0, end - time.perf_counter()) + REQUEST_TIMEOUT)
    for task in stuck:  # a request hung for REQUEST_TIMEOUT past the end: drop it and its connection
        task.cancel()
    for conn in conns if stuck else ():
        conn.close()
    if stuck:
        await asyncio.wait(stuck)
    for task in _done:
        task.result()


async def send_each(conns: list[HttpConnection], requests: list[bytes]) -> None:
    """Send every request once, spread over the connections (unmeasured: warming up)."""
    rec = Recorder(0.0, float("inf"))

    async def one(idx: int, conn: HttpConnection) -> None:
        for data in requests[idx::len(conns)]:
            await timed(conn, data, rec, "warm-up")

    await asyncio.gather(*(one(i, c) for i, c in enumerate(conns)))


async def spread_connects(conns: list[HttpConnection], gap: float) -> None:
    """Open the connections one by one, `gap` seconds apart, so several server processes share them.

    Opened all at once, they queue on the shared listening socket and the first worker process to wake
    accepts every one of them; spread out, each connect wakes every worker and any may win it. A gap of 0
    leaves them to connect at their first request.
    """
    for conn in conns if gap > 0 else ():
        await conn.connect()
        await asyncio.sleep(gap)


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), int(-(-p * len(sorted_values) // 100))))
    return sorted_values[rank - 1]


def summary(latencies: list[float]) -> dict[str, float]:
    values = sorted(latencies)
    return {
        "p50_ms": percentile(values, 50),
        "p90_ms": percentile(values, 90),
        "p99_ms": percentile(values, 99),
        "max_ms": values[-1] if values else 0.0,
        "mean_ms": sum(values) / len(values) if values else 0.0,
    }
