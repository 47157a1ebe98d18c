"""Creates/s with the request log recording and without, in one run (issue 15.3: with >= 90 % of without).

    .venv/bin/python bench/request_log.py [--duration 10] [--connections 32] [--rounds 2]

Starts `kasse serve --no-rate-limits` on a fresh SQLite file for each measurement, alternately with
KASSE_REQUEST_LOG=off and =on (so drift in the machine's load touches both alike), runs the `creates`
scenario of bench/run.py closed-loop on N keep-alive connections, and prints creates/s of each, the
mean ratio, and how many of the measured creates the log holds (recording drops only when its queue is full).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from loadgen import HttpConnection, Recorder, RequestBuilder, run_closed_loop, timed
from run import CYCLE_AMOUNT, Api
from server_process import DEMO, Server, get_token, start_server, stop_server

MODES = ("off", "on")


async def creates_per_second(server: Server, connections: int, warmup: float,
                             duration: float) -> tuple[float, int, float]:
    """Return creates/s in the measured window, its errors, and the server's CPU ms per create over the run."""
    rb = RequestBuilder("127.0.0.1", server.port, get_token(server.base), DEMO["msn"], DEMO["subscription_key"])
    api = Api(rb, secrets.token_hex(3))
    conns = [HttpConnection("127.0.0.1", server.port) for _ in range(connections)]
    start = time.perf_counter() + warmup
    rec, every = Recorder(start, start + duration), Recorder(0.0, float("inf"))
    cpu = server.cpu_seconds()

    async def step(idx: int, conn: HttpConnection, i: int) -> None:
        t0 = time.perf_counter()
        await timed(conn, api.create(api.ref("c", idx, i), CYCLE_AMOUNT), rec, "create")
        every.ok(t0, time.perf_counter())

    try:
        await run_closed_loop(conns, step, start + duration)
    finally:
        for c in conns:
            c.close()
    cpu_ms = (server.cpu_seconds() - cpu) * 1000 / max(1, len(every.latencies))
    return len(rec.latencies) / duration, rec.errors, cpu_ms


def logged_requests(server: Server) -> int:
    """The id of the newest logged request: how many the log took (ids start at 1, nothing is pruned here)."""
    with urllib.request.urlopen(f"{server.base}/_kasse/requests?limit=1", timeout=10) as r:
        newest = json.loads(r.read())
    return int(newest[-1]["id"]) if newest else 0


def measure(mode: str, args: argparse.Namespace) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="kasse-bench-reqlog-", dir=args.tmp_dir) as tmp:
        server = start_server(Path(tmp), writer_stats=False, experiment_env={"KASSE_REQUEST_LOG": mode})
        try:
            rate, errors, cpu_ms = asyncio.run(creates_per_second(server, args.connections, args.warmup,
                                                                  args.duration))
            time.sleep(1.0)  # the recorder flushes every 0.5 s
            logged = logged_requests(server) if mode == "on" else 0
        finally:
            stop_server(server)
    print(f"  recording {mode:>3}: {rate:8.0f} creates/s, server CPU {cpu_ms:.3f} ms per create ({errors} errors"
          + (f", {logged} requests logged in all)" if mode == "on" else ")"), file=sys.stderr, flush=True)
    return {"rate": rate, "errors": errors, "logged": logged, "cpu_ms": cpu_ms}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--duration", type=float, default=10.0, help="measured seconds per measurement (default 10)")
    p.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each (default 1)")
    p.add_argument("--connections", type=int, default=32, help="keep-alive connections (default 32)")
    p.add_argument("--rounds", type=int, default=2, help="off/on pairs to alternate (default 2)")
    p.add_argument("--tmp-dir", default=None, help="where the SQLite files go (a real disk, not tmpfs)")
    args = p.parse_args(argv)
    runs: dict[str, list[dict[str, float]]] = {m: [] for m in MODES}
    for _ in range(args.rounds):
        for mode in MODES:
            runs[mode].append(measure(mode, args))
    off, on = (statistics.mean(r["rate"] for r in runs[m]) for m in MODES)
    cpu_off, cpu_on = (statistics.mean(r["cpu_ms"] for r in runs[m]) for m in MODES)
    print(f"creates/s without recording: {off:.0f}  with: {on:.0f}  ratio: {on / off:.1%}  "
          f"(target >= 90%: {'PASS' if on >= 0.9 * off else 'MISS'}; {args.connections} connections, "
          f"{args.rounds} x {args.duration:g} s each)")
    print(f"server CPU per create without recording: {cpu_off:.3f} ms  with: {cpu_on:.3f} ms  "
          f"(capacity ratio {cpu_off / cpu_on:.1%}: what a CPU-bound server keeps with recording on)")


if __name__ == "__main__":
    main()
