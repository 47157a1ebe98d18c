"""Creates/s with the request log recording and without, in one run (issue 15.3: with >= 90 % of without).

    .venv/bin/python bench/request_log.py [--duration 10] [--connections 32] [--rounds 2]
    .venv/bin/python bench/request_log.py --postgres [--workers 2]

Starts `kasse serve --no-rate-limits` on a fresh SQLite file (or, with --postgres, on a private schema of
the PostgreSQL database, dropped afterwards) for each measurement, alternately with KASSE_REQUEST_LOG=off
and =on (so drift in the machine's load touches both alike), runs the `creates` scenario of bench/run.py
closed-loop on N keep-alive connections, and prints creates/s of each, the mean ratio, CPU per create of
kasse (and of PostgreSQL's processes), and how many of the measured creates the log holds (recording drops
only when its queue is full).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from loadgen import HttpConnection, Recorder, RequestBuilder, run_closed_loop, timed
from postgres import DEFAULT_URL, private_schema
from run import CYCLE_AMOUNT, Api
from server_process import DEMO, Server, get_token, postgres_cpu, start_server, stop_server

MODES = ("off", "on")


async def creates_per_second(server: Server, connections: int, warmup: float,
                             duration: float) -> tuple[float, int, float, float]:
    """Return creates/s in the measured window, its errors, and the CPU ms per create over the run of the server
    and of PostgreSQL's processes (0 on SQLite)."""
    rb = RequestBuilder("127.0.0.1", server.port, get_token(server.base), DEMO["msn"], DEMO["subscription_key"])
    api = Api(rb, secrets.token_hex(3))
    conns = [HttpConnection("127.0.0.1", server.port) for _ in range(connections)]
    start = time.perf_counter() + warmup
    rec, every = Recorder(start, start + duration), Recorder(0.0, float("inf"))
    cpu, pg = server.cpu_seconds(), postgres_cpu()

    async def step(idx: int, conn: HttpConnection, i: int) -> None:
        t0 = time.perf_counter()
        await timed(conn, api.create(api.ref("c", idx, i), CYCLE_AMOUNT), rec, "create")
        every.ok(t0, time.perf_counter())

    try:
        await run_closed_loop(conns, step, start + duration)
    finally:
        for c in conns:
            c.close()
    creates = max(1, len(every.latencies))
    cpu_ms, pg_ms = ((now - then) * 1000 / creates for now, then in ((server.cpu_seconds(), cpu), (postgres_cpu(), pg)))
    return len(rec.latencies) / duration, rec.errors, cpu_ms, pg_ms


def logged_requests(server: Server) -> int:
    """The id of the newest logged request: how many the log took (ids start at 1, nothing is pruned here)."""
    with urllib.request.urlopen(f"{server.base}/_kasse/requests?limit=1", timeout=10) as r:
        newest = json.loads(r.read())
    return int(newest[-1]["id"]) if newest else 0


def measure(mode: str, args: argparse.Namespace) -> dict[str, float]:
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="kasse-bench-reqlog-", dir=args.tmp_dir))
        url = stack.enter_context(private_schema(args.database_url)) if args.postgres else None
        server = start_server(Path(tmp), writer_stats=False, experiment_env={"KASSE_REQUEST_LOG": mode},
                              database_url=url, workers=args.workers)
        try:
            rate, errors, cpu_ms, pg_ms = asyncio.run(creates_per_second(server, args.connections, args.warmup,
                                                                         args.duration))
            time.sleep(1.0)  # the recorder flushes every 0.5 s
            logged = logged_requests(server) if mode == "on" else 0
        finally:
            stop_server(server)
    pg_text = f" + PostgreSQL {pg_ms:.3f}" if args.postgres else ""
    print(f"  recording {mode:>3}: {rate:8.0f} creates/s, server CPU {cpu_ms:.3f}{pg_text} ms per create ({errors} "
          "errors" + (f", {logged} requests logged in all)" if mode == "on" else ")"), file=sys.stderr, flush=True)
    return {"rate": rate, "errors": errors, "logged": logged, "cpu_ms": cpu_ms, "pg_ms": pg_ms}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--duration", type=float, default=10.0, help="measured seconds per measurement (default 10)")
    p.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each (default 1)")
    p.add_argument("--connections", type=int, default=32, help="keep-alive connections (default 32)")
    p.add_argument("--rounds", type=int, default=2, help="off/on pairs to alternate (default 2)")
    p.add_argument("--tmp-dir", default=None, help="where the SQLite files go (a real disk, not tmpfs)")
    p.add_argument("--postgres", action="store_true",
                   help="serve on PostgreSQL (a private schema per measurement, dropped after it) instead of SQLite")
    p.add_argument("--workers", type=int, default=1, help="kasse serve processes, with --postgres (default 1)")
    p.add_argument("--database-url", default=os.environ.get("KASSE_BENCH_DATABASE_URL", DEFAULT_URL),
                   help=f"the PostgreSQL database for --postgres (default $KASSE_BENCH_DATABASE_URL or {DEFAULT_URL})")
    args = p.parse_args(argv)
    if args.workers < 1 or (args.workers > 1 and not args.postgres):
        p.error("--workers takes a positive number, and more than 1 only with --postgres")
    runs: dict[str, list[dict[str, float]]] = {m: [] for m in MODES}
    for _ in range(args.rounds):
        for mode in MODES:
            runs[mode].append(measure(mode, args))
    off, on = (statistics.mean(r["rate"] for r in runs[m]) for m in MODES)
    cpu_off, cpu_on = (statistics.mean(r["cpu_ms"] for r in runs[m]) for m in MODES)
    pg_off, pg_on = (statistics.mean(r["pg_ms"] for r in runs[m]) for m in MODES)
    print(f"creates/s without recording: {off:.0f}  with: {on:.0f}  ratio: {on / off:.1%}  "
          f"(target >= 90%: {'PASS' if on >= 0.9 * off else 'MISS'}; {args.connections} connections, "
          f"{args.rounds} x {args.duration:g} s each)")
    print(f"server CPU per create without recording: {cpu_off:.3f} ms  with: {cpu_on:.3f} ms  "
          f"(capacity ratio {cpu_off / cpu_on:.1%}: what a CPU-bound server keeps with recording on)")
    if args.postgres:
        print(f"PostgreSQL CPU per create without recording: {pg_off:.3f} ms  with: {pg_on:.3f} ms "
              f"(kasse serve --workers {args.workers})")


if __name__ == "__main__":
    main()
