"""kasse under rude clients: huge bodies, clients hanging up mid-body, slow bodies (issue #12 items 3 and 4).

    .venv/bin/python bench/hangups.py [--hangups 2000] [--slow 4000] [--phases big,hangups,slow] [--keep]

Starts `python -m kasse serve` on a fresh SQLite file (bench/server_process.py), then, one phase at a time:

- `big`: one 400 MB POST to the POS's webhook receiver with a declared Content-Length, then one sent chunked;
  prints the worker's RSS before and after each, and the status it got.
- `hangups`: N clients (default 2,000, 200 at a time) each send a POS request's headers and half its body,
  then close the socket.
- `slow`: N connections (default 4,000) each start an authenticated `POST /epayment/v1/payments` with a
  1,000-byte Content-Length and trickle one byte every 0.5 s.

During `hangups` and `slow` a probe sends a normal `GET /epayment/v1/payments/{ref}` every 20 ms on its own
keep-alive connection and records how long each took. Each phase prints the bytes the server wrote to its log,
how many lines were tracebacks, and the probe's p50/p99/worst latency. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from loadgen import HttpConnection, RequestBuilder, percentile
from server_process import DEMO, Server, get_token, rss_mb, start_server, stop_server

PROBE_EVERY = 0.02
BIG = 400 * 1000 * 1000
CHUNK = 1 << 20


def log_size(server: Server) -> int:
    return (server.workdir / "server.log").stat().st_size


def log_since(server: Server, offset: int) -> bytes:
    with (server.workdir / "server.log").open("rb") as f:
        f.seek(offset)
        return f.read()


async def read_status(reader: asyncio.StreamReader, timeout: float) -> int | None:
    with contextlib.suppress(OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
        line = await asyncio.wait_for(reader.readline(), timeout)
        return int(line.split()[1])
    return None


# ---------------------------------------------------------------- big bodies


async def big_post(port: int, *, chunked: bool) -> tuple[int | None, float]:
    """POST 400 MB of zeros to /pos/webhooks as fast as the socket takes it; return the status and seconds."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {BIG}"
    writer.write(f"POST /pos/webhooks HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n{framing}\r\n\r\n"
                 .encode())
    started = time.perf_counter()
    block = b"0" * CHUNK
    piece = f"{CHUNK:x}\r\n".encode() + block + b"\r\n" if chunked else block
    status_task = asyncio.ensure_future(read_status(reader, 60))
    await asyncio.wait({status_task}, timeout=0.5)  # an answer to the headers alone, as curl's Expect would get
    with contextlib.suppress(OSError):
        for _ in range(BIG // CHUNK):
            if status_task.done():
                break
            writer.write(piece)
            await writer.drain()
    status = await status_task
    writer.close()
    return status, time.perf_counter() - started


async def phase_big(server: Server) -> dict[str, object]:
    out: dict[str, object] = {}
    for chunked in (False, True):
        before = rss_mb(server.worker_pid())
        status, seconds = await big_post(server.port, chunked=chunked)
        await asyncio.sleep(0.5)
        after = rss_mb(server.worker_pid())
        kind = "chunked" if chunked else "declared"
        out[kind] = {"status": status, "seconds": round(seconds, 3), "rss_before_mb": round(before, 1),
                     "rss_after_mb": round(after, 1)}
        print(f"  400 MB POST /pos/webhooks ({kind}): HTTP {status} after {seconds:.2f} s;"
              f" worker RSS {before:.1f} MB -> {after:.1f} MB")
    return out


# ---------------------------------------------------------------- the probe


class Probe:
    """A normal client: one GET every PROBE_EVERY seconds on a keep-alive connection, timed."""

    def __init__(self, port: int, request: bytes) -> None:
        self.conn = HttpConnection("127.0.0.1", port)
        self.request = request
        self.latencies: list[float] = []
        self.failures = 0

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                status, _ = await asyncio.wait_for(self.conn.request(self.request), 60)
                if status != 200:
                    self.failures += 1
            except (OSError, TimeoutError, asyncio.IncompleteReadError):
                self.failures += 1
                self.conn.close()
            self.latencies.append((time.perf_counter() - started) * 1000)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), PROBE_EVERY)

    def report(self) -> dict[str, float]:
        ordered = sorted(self.latencies)
        return {"requests": len(ordered), "failures": self.failures, "p50_ms": round(percentile(ordered, 50), 1),
                "p99_ms": round(percentile(ordered, 99), 1), "worst_ms": round(ordered[-1], 1) if ordered else 0.0}


async def with_probe(server: Server, probe_request: bytes, flood: Callable[[], Awaitable[dict[str, int]]]
                     ) -> dict[str, object]:
    offset = log_size(server)
    probe = Probe(server.port, probe_request)
    stop = asyncio.Event()
    probing = asyncio.create_task(probe.run(stop))
    await asyncio.sleep(0.5)
    started = time.perf_counter()
    counts = await flood()
    seconds = time.perf_counter() - started
    await asyncio.sleep(1.0)
    stop.set()
    await probing
    produced = log_since(server, offset)
    result = {**counts, "seconds": round(seconds, 2), "log_bytes": len(produced),
              "tracebacks": produced.count(b"Traceback"), **probe.report()}
    print(f"  {json.dumps(result)}")
    return result


# ---------------------------------------------------------------- hang-ups and slow bodies


async def hang_up(port: int, head: bytes, half: bytes) -> None:
    with contextlib.suppress(OSError):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(head + half)
        await writer.drain()
        await asyncio.sleep(0.01)
        writer.transport.abort()  # a reset, as a phone walking out of Wi-Fi range would leave it


async def flood_hangups(port: int, count: int, at_once: int = 200) -> dict[str, int]:
    body = json.dumps({"pad": "x" * 2000}).encode()
    head = (f"POST /pos/webhooks HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    gate = asyncio.Semaphore(at_once)

    async def one() -> None:
        async with gate:
            await hang_up(port, head, body[: len(body) // 2])

    await asyncio.gather(*(one() for _ in range(count)))
    return {"clients": count}


async def slow_body(port: int, head: bytes, statuses: dict[str, int], stop_after: float) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        statuses["connect failed"] = statuses.get("connect failed", 0) + 1
        return
    status: int | None = None
    try:
        writer.write(head)
        reading = asyncio.ensure_future(read_status(reader, stop_after))
        deadline = time.perf_counter() + stop_after
        while not reading.done() and time.perf_counter() < deadline:
            writer.write(b" ")
            await writer.drain()
            await asyncio.wait({reading}, timeout=0.5)
        status = await reading if reading.done() else None
        reading.cancel()
    except OSError:
        pass
    finally:
        writer.transport.abort()
    key = str(status) if status is not None else "no answer"
    statuses[key] = statuses.get(key, 0) + 1


async def flood_slow(port: int, token: str, count: int) -> dict[str, int]:
    head = (f"POST /epayment/v1/payments HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {token}\r\nOcp-Apim-Subscription-Key: {DEMO['subscription_key']}\r\n"
            f"Merchant-Serial-Number: {DEMO['msn']}\r\nIdempotency-Key: {uuid.uuid4()}\r\n"
            f"Content-Length: 1000\r\n\r\n").encode()
    statuses: dict[str, int] = {}
    await asyncio.gather(*(slow_body(port, head, statuses, 60.0) for _ in range(count)))
    return {"connections": count, **{f"status {k}": v for k, v in sorted(statuses.items())}}


# ---------------------------------------------------------------- main


async def run(server: Server, phases: list[str], hangups: int, slow: int) -> dict[str, object]:
    token = get_token(server.base)
    builder = RequestBuilder("127.0.0.1", server.port, token, DEMO["msn"], DEMO["subscription_key"])
    reference = f"bench-{uuid.uuid4().hex[:12]}"
    create = {"amount": {"currency": "NOK", "value": 1000}, "paymentMethod": {"type": "WALLET"},
              "reference": reference, "userFlow": "QR"}
    setup = HttpConnection("127.0.0.1", server.port)
    status, _ = await setup.request(builder.post("/epayment/v1/payments", json.dumps(create).encode(),
                                                 idempotency_key=str(uuid.uuid4())))
    setup.close()
    assert status == 201, status
    probe_request = builder.get(f"/epayment/v1/payments/{reference}")
    results: dict[str, object] = {}
    for phase in phases:
        print(f"{phase}:")
        if phase == "big":
            results[phase] = await phase_big(server)
        elif phase == "hangups":
            results[phase] = await with_probe(server, probe_request, lambda: flood_hangups(server.port, hangups))
        elif phase == "slow":
            results[phase] = await with_probe(server, probe_request, lambda: flood_slow(server.port, token, slow))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hangups", type=int, default=2000, help="clients hanging up mid-body (default 2000)")
    parser.add_argument("--slow", type=int, default=4000, help="slow-body connections (default 4000)")
    parser.add_argument("--phases", default="big,hangups,slow", help="a subset of big,hangups,slow, in order")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (server.log)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="kasse-hangups-"))
    server = start_server(workdir, writer_stats=False)
    try:
        results = asyncio.run(run(server, args.phases.split(","), args.hangups, args.slow))
    finally:
        stop_server(server)
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
