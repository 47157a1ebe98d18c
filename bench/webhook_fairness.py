"""One sales unit's dead receiver must not starve another's webhooks (issue #12 item 6).

    .venv/bin/python bench/webhook_fairness.py [--registrations 25] [--payments 156] [--samples 10] [--json out]

Starts `python -m kasse serve` on a fresh SQLite file (bench/server_process.py) and two receivers on loopback:
a black hole that accepts connections, reads them and never answers (each delivery then holds a send slot for
the sender's whole 10 s timeout), and a fast one that answers 200 at once. Unit A (the demo sales unit)
registers N webhooks for `epayments.payment.created.v1` at the black hole and creates M payments
(N x M deliveries, 3,900 by default); unit B (a second sales unit) registers one webhook at the fast receiver.
Then B creates one payment every 0.5 s and the bench prints how long each of B's webhooks took to arrive
(arrival minus the event's own timestamp), while A's flood is in flight. Target: every one within 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from loadgen import HttpConnection, RequestBuilder, percentile
from server_process import DEMO, get_token, start_server, stop_server

EVENT = "epayments.payment.created.v1"
TARGET_S = 2.0


class BlackHole(asyncio.Protocol):
    """Accepts a connection, reads whatever comes and never answers."""

    def __init__(self, held: set[asyncio.BaseTransport]) -> None:
        self.held = held

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.held.add(transport)

    def data_received(self, data: bytes) -> None:
        pass

    def connection_lost(self, exc: Exception | None) -> None:
        self.held.discard(self.transport)


class Receivers:
    """The black hole's connections and the fast receiver, in this process."""

    def __init__(self) -> None:
        self.held: set[asyncio.BaseTransport] = set()  # connections the black hole is holding
        self.arrivals: dict[str, float] = {}  # reference -> seconds from event to arrival



class FastReceiver(asyncio.Protocol):
    """Answers every webhook 200 at once and notes how long after its event it arrived."""

    def __init__(self, arrivals: dict[str, float]) -> None:
        self.arrivals = arrivals
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, rest = self.buffer.split(b"\r\n\r\n", 1)
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            if len(rest) < length:
                return
            body, self.buffer = rest[:length], rest[length:]
            event = json.loads(body)
            sent = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")).timestamp()
            self.arrivals[event["reference"]] = time.time() - sent
            self.transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")


async def post(conn: HttpConnection, data: bytes, expect: int) -> dict[str, Any]:
    status, body = await conn.request(data)
    assert status == expect, (status, body[:300])
    return json.loads(body) if body else {}


def create(builder: RequestBuilder, reference: str) -> bytes:
    body = {"amount": {"currency": "NOK", "value": 1000}, "paymentMethod": {"type": "WALLET"}, "reference": reference,
            "userFlow": "QR"}
    return builder.post("/epayment/v1/payments", json.dumps(body).encode(), idempotency_key=str(uuid.uuid4()))


def register(builder: RequestBuilder, url: str) -> bytes:
    return builder.post("/webhooks/v1/webhooks", json.dumps({"url": url, "events": [EVENT]}).encode())


async def run(base: str, port: int, registrations: int, payments: int, samples: int) -> dict[str, Any]:
    receivers = Receivers()
    hole = await asyncio.get_running_loop().create_server(lambda: BlackHole(receivers.held), "127.0.0.1", 0)
    fast = await asyncio.get_running_loop().create_server(lambda: FastReceiver(receivers.arrivals), "127.0.0.1", 0)
    hole_url = f"http://127.0.0.1:{hole.sockets[0].getsockname()[1]}/hooks"
    fast_url = f"http://127.0.0.1:{fast.sockets[0].getsockname()[1]}/hooks"
    conn = HttpConnection("127.0.0.1", port)
    plain = RequestBuilder("127.0.0.1", port, "", "", "")
    unit_b = await post(conn, plain.post("/_kasse/merchants", b'{"name": "unit B"}', auth=False), 201)
    a = RequestBuilder("127.0.0.1", port, get_token(base), DEMO["msn"], DEMO["subscription_key"])
    token_b = get_token_for(base, unit_b)
    b = RequestBuilder("127.0.0.1", port, token_b, unit_b["msn"], unit_b["subscriptionKey"])
    for _ in range(registrations):
        await post(conn, register(a, hole_url), 201)
    await post(conn, register(b, fast_url), 201)
    started = time.perf_counter()
    for i in range(payments):
        await post(conn, create(a, f"flood-{i}-{uuid.uuid4().hex[:8]}"), 201)
    flood_s = time.perf_counter() - started
    await asyncio.sleep(1.0)  # A's deliveries have taken every slot they can
    print(f"unit A: {registrations} registrations x {payments} payments = {registrations * payments} deliveries"
          f" queued in {flood_s:.1f} s; the black hole holds {len(receivers.held)} connections")
    wanted = []
    for i in range(samples):
        reference = f"unit-b-{i}-{uuid.uuid4().hex[:8]}"
        wanted.append(reference)
        await post(conn, create(b, reference), 201)
        await asyncio.sleep(0.5)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(r in receivers.arrivals for r in wanted):
        await asyncio.sleep(0.1)
    held = len(receivers.held)
    conn.close()
    hole.close()
    fast.close()
    for transport in list(receivers.held):
        transport.close()
    latencies = sorted(receivers.arrivals.get(r, float("inf")) for r in wanted)
    arrived = [x for x in latencies if x != float("inf")]
    result = {"deliveries_of_a": registrations * payments, "held_by_black_hole": held,
              "b_samples": samples, "b_arrived": len(arrived),
              "b_p50_s": round(percentile(arrived, 50), 3) if arrived else None,
              "b_worst_s": round(latencies[-1], 3) if arrived and len(arrived) == samples else None,
              "target_s": TARGET_S,
              "pass": len(arrived) == samples and latencies[-1] <= TARGET_S}
    print(f"unit B: {len(arrived)}/{samples} webhooks arrived within 30 s; latency (s):"
          f" {', '.join(f'{x:.3f}' for x in latencies)}")
    print(f"target: every B webhook within {TARGET_S:g} s -> {'PASS' if result['pass'] else 'MISS'}")
    return result


def get_token_for(base: str, unit: dict[str, Any]) -> str:
    import urllib.request

    req = urllib.request.Request(f"{base}/accesstoken/get", data=b"", method="POST", headers={
        "client_id": unit["clientId"], "client_secret": unit["clientSecret"],
        "Ocp-Apim-Subscription-Key": unit["subscriptionKey"], "Merchant-Serial-Number": unit["msn"]})
    with urllib.request.urlopen(req, timeout=10) as r:
        token: str = json.loads(r.read())["access_token"]
    return token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=25, help="unit A's webhooks at the black hole")
    parser.add_argument("--payments", type=int, default=156, help="unit A's payments (each one delivery per hook)")
    parser.add_argument("--samples", type=int, default=10, help="unit B's payments, 0.5 s apart")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (server.log)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="kasse-fairness-"))
    server = start_server(workdir, writer_stats=False)
    try:
        result = asyncio.run(run(server.base, server.port, args.registrations, args.payments, args.samples))
    finally:
        stop_server(server)
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
