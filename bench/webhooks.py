"""kasse webhook benchmark: deliveries/s and event-to-receipt latency while the ePayment API is under load.

    .venv/bin/python bench/webhooks.py [--duration 15] [--connections 32] [--json results.json]

Starts a fast webhook receiver (a separate process: raw asyncio HTTP/1.1 keep-alive) and
`python -m kasse serve --no-rate-limits` on a fresh SQLite file, registers one webhook for every
payment event, then drives full cycles (create → approve → capture, three events each) closed-loop
on N connections. The receiver timestamps every delivery on arrival; latency is that moment minus
the payload's `timestamp` (the event's time, just before its commit; same machine, same clock).
It also checks every 50th signature, and counts duplicates and out-of-order deliveries per payment.
Target: ≥ 1,000 deliveries/s with p99 ≤ 250 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loadgen import HttpConnection, Recorder, RequestBuilder, run_closed_loop, summary, timed

ROOT = Path(__file__).resolve().parent.parent
DEMO = {"msn": "123456", "client_id": "kasse-demo-client", "client_secret": "kasse-demo-secret",
        "subscription_key": "kasse-demo-subscription-key"}
EVENTS = [f"epayments.payment.{n}.v1" for n in ("created", "authorized", "captured")]
ORDER = {"CREATED": 0, "AUTHORIZED": 1, "CAPTURED": 2}
TARGET_RATE, TARGET_P99_MS = 1000.0, 250.0
VERIFY_EVERY = 50
HOOK_PATH = "/hooks/kasse"


# ---------------------------------------------------------------- the receiver (its own process)


class Receipts:
    def __init__(self) -> None:
        self.arrivals: list[tuple[float, float]] = []  # (arrival epoch s, latency ms)
        self.seen: set[str] = set()
        self.last: dict[str, int] = {}
        self.duplicates = self.out_of_order = self.bad_signatures = self.checked = 0
        self.secret: str | None = None
        self.url = ""

    def take(self, head: bytes, body: bytes) -> None:
        arrived = time.time()
        event = json.loads(body)
        sent = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")).timestamp()
        self.arrivals.append((arrived, (arrived - sent) * 1000.0))
        psp, ref, rank = event["pspReference"], event["reference"], ORDER.get(event["name"], 9)
        if psp in self.seen:
            self.duplicates += 1
            return
        self.seen.add(psp)
        if rank < self.last.get(ref, -1):
            self.out_of_order += 1
        self.last[ref] = rank
        if self.secret and len(self.arrivals) % VERIFY_EVERY == 0:
            self.check(head, body)

    def check(self, head: bytes, body: bytes) -> None:
        from kasse.domain.webhook_signature import SignatureError, verify

        lines = head.decode("latin-1").split("\r\n")[1:]
        headers = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
        self.checked += 1
        try:
            verify(headers, body, self.secret or "", self.url, now=datetime.now(UTC))
        except SignatureError:
            self.bad_signatures += 1

    def stats(self, start: float, end: float) -> dict[str, Any]:
        window = [lat for t, lat in self.arrivals if start <= t <= end]
        return {"received": len(self.arrivals), "in_window": len(window), "window_s": end - start,
                "rate_per_s": len(window) / (end - start) if end > start else 0.0,
                "latency": summary(window), "latency_all": summary([lat for _, lat in self.arrivals]),
                "last_arrival": max((t for t, _ in self.arrivals), default=0.0), "duplicates": self.duplicates,
                "out_of_order": self.out_of_order, "signatures_checked": self.checked,
                "bad_signatures": self.bad_signatures}


class ReceiverProtocol(asyncio.Protocol):
    def __init__(self, receipts: Receipts) -> None:
        self.receipts = receipts
        self.buf = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while (end := self.buf.find(b"\r\n\r\n")) >= 0:
            head = self.buf[:end]
            low = head.lower()
            i, n = low.find(b"\r\ncontent-length:"), 0
            if i >= 0:
                j = low.find(b"\r\n", i + 17)
                n = int(low[i + 17 : j if j >= 0 else None])
            if len(self.buf) < end + 4 + n:
                return
            body, self.buf = self.buf[end + 4 : end + 4 + n], self.buf[end + 4 + n :]
            self.answer(head, body)

    def answer(self, head: bytes, body: bytes) -> None:
        assert self.transport is not None
        out = b""
        if head.startswith(b"POST " + HOOK_PATH.encode()):
            self.receipts.take(head, body)
        elif head.startswith(b"POST /configure"):
            config = json.loads(body)
            self.receipts.secret, self.receipts.url = config["secret"], config["url"]
        elif head.startswith(b"POST /stats"):
            window = json.loads(body)
            out = json.dumps(self.receipts.stats(window.get("start", 0.0), window.get("end", time.time()))).encode()
        self.transport.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
                             % (len(out), out))


async def serve_receiver(port: int) -> None:
    receipts = Receipts()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: ReceiverProtocol(receipts), "127.0.0.1", port, backlog=1024)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


# ---------------------------------------------------------------- processes and plain calls


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def call(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
    req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET",
                                 headers={"content-type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=30) as r:
        raw = r.read()
    return json.loads(raw) if raw else None


def wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        with contextlib.suppress(OSError):
            call(url, b"{}" if "stats" in url else None)
            return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGINT, 15), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)


def cpu_seconds(pid: int) -> float:
    total = 0.0
    for p in [pid, *(int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


# ---------------------------------------------------------------- the run


def setup(base: str, receiver: str, *, register: bool = True) -> tuple[str, str]:
    auth = {"client_id": DEMO["client_id"], "client_secret": DEMO["client_secret"],
            "Ocp-Apim-Subscription-Key": DEMO["subscription_key"], "Merchant-Serial-Number": DEMO["msn"]}
    token = call(f"{base}/accesstoken/get", b"", auth)["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Ocp-Apim-Subscription-Key": DEMO["subscription_key"],
               "Merchant-Serial-Number": DEMO["msn"]}
    url = f"{receiver}{HOOK_PATH}"
    if not register:
        return token, url
    hook = call(f"{base}/webhooks/v1/webhooks", json.dumps({"url": url, "events": EVENTS}).encode(), headers)
    call(f"{receiver}/configure", json.dumps({"secret": hook["secret"], "url": url}).encode())
    return token, url


async def drive(port: int, token: str, args: argparse.Namespace) -> tuple[Recorder, int, float, float]:
    rb = RequestBuilder("127.0.0.1", port, token, DEMO["msn"], DEMO["subscription_key"])
    run_id = secrets.token_hex(3)
    conns = [HttpConnection("127.0.0.1", port) for _ in range(args.connections)]
    start = time.perf_counter() + args.warmup
    end = start + args.duration
    rec = Recorder(start, end)
    cycles = 0

    async def cycle(idx: int, conn: HttpConnection, i: int) -> None:
        nonlocal cycles
        ref = f"wh-{run_id}-{idx}x{i}"
        body = b'{"amount":{"currency":"NOK","value":49900},"paymentMethod":{"type":"WALLET"},"reference":"%s",' \
               b'"userFlow":"QR","customerInteraction":"CUSTOMER_PRESENT"}' % ref.encode()
        await timed(conn, rb.post("/epayment/v1/payments", body, idempotency_key=ref), rec, "create")
        await timed(conn, rb.post(f"/epayment/v1/test/payments/{ref}/approve", b"{}"), rec, "approve")
        capture = b'{"modificationAmount":{"currency":"NOK","value":49900}}'
        await timed(conn, rb.post(f"/epayment/v1/payments/{ref}/capture", capture, idempotency_key=ref + "-c"),
                    rec, "capture")
        cycles += 1

    offset = time.time() - time.perf_counter()  # the receiver stamps epoch time
    await run_closed_loop(conns, cycle, end)
    for c in conns:
        c.close()
    return rec, cycles, start + offset, end + offset


def drain(receiver: str, expected: int, start: float, end: float, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        stats: dict[str, Any] = call(f"{receiver}/stats", json.dumps({"start": start, "end": end}).encode())
        if stats["received"] >= expected or time.monotonic() > deadline:
            return stats
        time.sleep(0.2)


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    rport, sport = free_port(), free_port()
    receiver_proc = subprocess.Popen([sys.executable, __file__, "--receiver", str(rport)], env=env,
                                     start_new_session=True)
    log = (workdir / "server.log").open("wb")
    server_proc = subprocess.Popen(
        [sys.executable, "-m", "kasse", "serve", "--no-rate-limits", "--port", str(sport), "--db",
         str(workdir / "kasse.db")], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=workdir,
        start_new_session=True)
    receiver, base = f"http://127.0.0.1:{rport}", f"http://127.0.0.1:{sport}"
    try:
        wait_until_up(f"{receiver}/stats", receiver_proc)
        wait_until_up(f"{base}/_kasse/clock", server_proc)
        token, _ = setup(base, receiver, register=not args.baseline)
        cpu0, wall0 = cpu_seconds(server_proc.pid), time.monotonic()
        rec, cycles, start, end = asyncio.run(drive(sport, token, args))
        cpu = (cpu_seconds(server_proc.pid) - cpu0) / (time.monotonic() - wall0)
        stats = drain(receiver, 0 if args.baseline else 3 * cycles, start, end, timeout=60)
        deliveries = call(f"{base}/_kasse/webhooks/deliveries?limit=1000")
    finally:
        stop(server_proc)
        stop(receiver_proc)
    pending = sum(d["state"] != "DELIVERED" for d in deliveries)
    return {"baseline": args.baseline, "connections": args.connections, "duration_s": args.duration, "cycles": cycles,
            "events_expected": 3 * cycles, "api_requests_per_s": len(rec.latencies) / args.duration,
            "api_latency": summary(rec.latencies), "api_errors": rec.errors, "api_error_samples": rec.error_samples,
            "server_cpu_cores": cpu, "deliveries": stats, "drained_after_s": max(0.0, stats["last_arrival"] - end),
            "not_delivered_in_last_1000": pending}


def report(r: dict[str, Any]) -> None:
    d, lat = r["deliveries"], r["deliveries"]["latency"]
    ok = d["rate_per_s"] >= TARGET_RATE and lat["p99_ms"] <= TARGET_P99_MS
    print(f"kasse webhooks bench: {r['connections']} connections, {r['duration_s']:.0f} s of create → approve → "
          f"capture, one webhook for created/authorized/captured")
    print(f"  API          {r['api_requests_per_s']:,.0f} requests/s ({r['cycles']:,} cycles), p50 "
          f"{r['api_latency']['p50_ms']:.1f} ms, p99 {r['api_latency']['p99_ms']:.1f} ms, errors {r['api_errors']}")
    if r["baseline"]:
        print("  baseline: no webhook registered, so this is the API's rate without any delivery work")
        return
    print(f"  deliveries   {d['rate_per_s']:,.0f}/s under load; {d['received']:,} of {r['events_expected']:,} "
          f"received, the last {r['drained_after_s']:.2f} s after the load stopped")
    print(f"  latency      event → receipt p50 {lat['p50_ms']:.1f} ms, p90 {lat['p90_ms']:.1f} ms, "
          f"p99 {lat['p99_ms']:.1f} ms, max {lat['max_ms']:.1f} ms")
    print(f"  checks       {d['duplicates']} duplicates, {d['out_of_order']} out of order, "
          f"{d['bad_signatures']} of {d['signatures_checked']} sampled signatures bad; server CPU "
          f"{r['server_cpu_cores']:.2f} cores")
    print(f"  target       ≥ {TARGET_RATE:,.0f} deliveries/s, p99 ≤ {TARGET_P99_MS:.0f} ms: "
          f"{'met' if ok else 'NOT met'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of measured load (default 15)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of unmeasured load first (default 3)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent API connections (default 32)")
    parser.add_argument("--baseline", action="store_true", help="register no webhook: the API's rate without delivery")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--receiver", type=int, help=argparse.SUPPRESS)  # internal: run as the receiver
    args = parser.parse_args()
    if args.receiver:
        asyncio.run(serve_receiver(args.receiver))
        return 0
    with tempfile.TemporaryDirectory(prefix="kasse-webhooks-bench-") as tmp:
        result = run(args, Path(tmp))
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
