"""kasse benchmark: creates/s, gets/s, captures/s and full cycles/s against a real `kasse serve`.

    .venv/bin/python bench/run.py [--duration 10] [--connections 32] [--json results.json]

Starts `kasse serve --no-rate-limits` on a fresh SQLite file in a temporary directory on a free
loopback port, takes a token for the demo sales unit, and runs each scenario closed-loop on N
keep-alive connections for a fixed time. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import secrets
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loadgen import (
    HttpConnection,
    Recorder,
    RequestBuilder,
    StepFailedError,
    run_closed_loop,
    send_each,
    spread_connects,
    summary,
    timed,
)
from report import TARGET_LINE, git_commit, report, unit_of, verdicts
from server_process import DEMO, Server, fs_type, get_token, rss_mb, start_server, stop_server, thread_cpu

SCENARIOS = ("creates", "gets", "captures", "cycles")
POOL_AMOUNT = 10_000_000  # NOK 100,000.00 reserved per pool payment; captures take NOK 1.00 at a time
CAPTURE_VALUE = 100
CYCLE_AMOUNT = 49_900


def create_body(reference: str, value: int) -> bytes:
    return (
        b'{"amount":{"currency":"NOK","value":%d},"paymentMethod":{"type":"WALLET"},"reference":"%s",'
        b'"userFlow":"QR","customerInteraction":"CUSTOMER_PRESENT","paymentDescription":"kasse bench"}'
        % (value, reference.encode())
    )


def capture_body(value: int) -> bytes:
    return b'{"modificationAmount":{"currency":"NOK","value":%d}}' % value


APPROVE_BODY = b"{}"


class Api:
    """Request bytes for the ePayment calls of the benchmark."""

    def __init__(self, rb: RequestBuilder, run_id: str) -> None:
        self.rb = rb
        self.prefix = f"bench-{run_id}-"

    def ref(self, kind: str, conn: int, i: int) -> str:
        return f"{self.prefix}{kind}{conn}x{i}"

    def create(self, reference: str, value: int) -> bytes:
        return self.rb.post("/epayment/v1/payments", create_body(reference, value), idempotency_key=reference)

    def get(self, reference: str) -> bytes:
        return self.rb.get(f"/epayment/v1/payments/{reference}")

    def approve(self, reference: str) -> bytes:
        return self.rb.post(f"/epayment/v1/test/payments/{reference}/approve", APPROVE_BODY)

    def capture(self, reference: str, value: int, key: str) -> bytes:
        return self.rb.post(f"/epayment/v1/payments/{reference}/capture", capture_body(value), idempotency_key=key)


@dataclass
class Snapshot:
    t: float
    server_cpu: float
    client_cpu: float
    threads: dict[int, tuple[str, float]]
    writer: dict[str, Any] | None
    worker_rss_mb: float
    by_process: list[float]
    postgres: float


def snapshot(server: Server) -> Snapshot:
    return Snapshot(time.perf_counter(), server.cpu_seconds(), time.process_time(),
                    thread_cpu(server.worker_pid()), server.writer_stats(), rss_mb(server.worker_pid()),
                    server.cpu_by_process(), server.database_cpu())


@dataclass
class Phase:
    name: str
    unit: str
    requests: Recorder
    cycles: Recorder | None = None


def writer_delta(a: dict[str, Any] | None, b: dict[str, Any] | None, wall: float) -> dict[str, Any] | None:
    if not a or not b:
        return None
    batches, jobs = b["batches"] - a["batches"], b["jobs"] - a["jobs"]
    hist = {k: v - a["hist"].get(k, 0) for k, v in b["hist"].items() if v - a["hist"].get(k, 0)}
    commit_ms = {k: v - a.get("commit_ms_hist", {}).get(k, 0) for k, v in b.get("commit_ms_hist", {}).items()}
    ga, gb = a.get("gc", {}), b.get("gc", {})
    gc_delta = {k: gb[k] - ga.get(k, 0) for k in ("collections", "gen2", "pause_s") if k in gb}
    return {
        "batches": batches,
        "jobs": jobs,
        "jobs_per_batch": jobs / batches if batches else 0.0,
        "max_batch_ever": b["max_batch"],
        "busy_fraction": (b["busy_s"] - a["busy_s"]) / wall,
        "in_jobs_fraction": (b["jobs_s"] - a["jobs_s"]) / wall,
        "batch_size_histogram": dict(sorted(hist.items(), key=lambda kv: int(kv[0].split("-")[0]))),
        "commit_ms_histogram": {k: v for k, v in sorted(commit_ms.items(), key=lambda kv: _edge(kv[0])) if v},
        "gc": {**gc_delta, "max_pause_ms_ever": gb.get("max_pause_ms", 0.0)},
        "writer_tid": b.get("writer_tid"),
    }


def _edge(key: str) -> float:
    return float(key.lstrip("<>=")) + (0.5 if key.startswith(">") else 0.0)


def thread_breakdown(a: Snapshot, b: Snapshot, worker: int, writer_tid: int | None) -> dict[str, float]:
    wall = b.t - a.t
    out: dict[str, float] = {}
    for tid, (comm, cpu) in b.threads.items():
        used = cpu - a.threads.get(tid, (comm, 0.0))[1]
        if tid == worker:
            name = "event loop (main)"
        elif tid == writer_tid:
            name = "sqlite writer"
        elif comm.startswith("tokio"):
            name = "granian I/O (tokio)"
        else:
            name = "other"
        out[name] = out.get(name, 0.0) + used / wall
    return out


def result_of(phase: Phase, a: Snapshot, b: Snapshot, server: Server, connections: int) -> dict[str, Any]:
    wall = phase.requests.end - phase.requests.start  # outcomes are counted when they complete inside it
    main = phase.cycles or phase.requests
    ops = len(main.latencies)
    writer = writer_delta(a.writer, b.writer, wall)
    res: dict[str, Any] = {
        "scenario": phase.name,
        "unit": phase.unit,
        "connections": connections,
        "seconds": wall,
        "completed": ops,
        "rate": ops / wall,
        **summary(main.latencies),
        "errors": phase.requests.errors,
        "error_kinds": phase.requests.error_kinds,
        "error_samples": phase.requests.error_samples,
        "server_cpu_s": b.server_cpu - a.server_cpu,
        "server_cpu_cores": (b.server_cpu - a.server_cpu) / wall,
        "server_cpu_ms_per_op": (b.server_cpu - a.server_cpu) * 1000 / ops if ops else 0.0,
        "postgres_cpu_cores": (b.postgres - a.postgres) / wall,  # 0 on SQLite
        "postgres_cpu_ms_per_op": (b.postgres - a.postgres) * 1000 / ops if ops else 0.0,
        "server_cpu_cores_by_process": [(y - x) / wall for x, y in zip(a.by_process, b.by_process, strict=True)],
        "client_cpu_cores": (b.client_cpu - a.client_cpu) / wall,
        "worker_rss_mb": [a.worker_rss_mb, b.worker_rss_mb],
        "server_threads_cores": thread_breakdown(a, b, server.worker_pid(), (writer or {}).get("writer_tid")),
        "writer": writer,
    }
    if phase.cycles:
        res["requests"] = {"completed": len(phase.requests.latencies), "rate": len(phase.requests.latencies) / wall,
                           **summary(phase.requests.latencies)}
    return res


async def measure(server: Server, conns: list[HttpConnection], phase_of: Callable[[float, float], Phase],
                  step_of: Callable[[Phase], Any], warmup: float, duration: float,
                  connections: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    start, end = t0 + warmup, t0 + warmup + duration
    phase = phase_of(start, end)
    marks: list[Snapshot] = []

    async def sampler() -> None:
        for when in (start, end):
            await asyncio.sleep(max(0.0, when - time.perf_counter()))
            marks.append(snapshot(server))
        await asyncio.sleep(0.12)  # the writer-stats file is rewritten every 100 ms: take the one covering `end`
        marks[1].writer = server.writer_stats()

    await asyncio.gather(run_closed_loop(conns, step_of(phase), end), sampler())
    return result_of(phase, marks[0], marks[1], server, connections)


async def setup_pool(api: Api, conns: list[HttpConnection], per_conn: int) -> list[list[str]]:
    """Each connection creates and force-approves `per_conn` payments it alone will capture from."""
    rec = Recorder(0.0, float("inf"))

    async def one(idx: int, conn: HttpConnection) -> list[str]:
        refs = []
        for i in range(per_conn):
            ref = api.ref("p", idx, i)
            await timed(conn, api.create(ref, POOL_AMOUNT), rec, "pool create")
            await timed(conn, api.approve(ref), rec, "pool approve")
            refs.append(ref)
        return refs

    try:
        return list(await asyncio.gather(*(one(i, c) for i, c in enumerate(conns))))
    except StepFailedError:
        raise RuntimeError(f"could not set up the payment pool: {rec.error_samples}") from None


def steps(api: Api, pool: list[list[str]], stored: list[str] | None = None) -> dict[str, Callable[[Phase], Any]]:
    gets = [api.get(r) for refs in pool for r in refs]
    if stored and gets:  # a preloaded store (bench/preload.py): every other get reads a stored payment
        extra = [api.get(r) for r in stored]
        gets = [g for i in range(max(len(gets), len(extra))) for g in (gets[i % len(gets)], extra[i % len(extra)])]

    def creates(p: Phase) -> Any:
        async def step(idx: int, conn: HttpConnection, i: int) -> None:
            ref = api.ref("c", idx, i)
            await timed(conn, api.create(ref, CYCLE_AMOUNT), p.requests, "create")
        return step

    def get(p: Phase) -> Any:
        async def step(idx: int, conn: HttpConnection, i: int) -> None:
            await timed(conn, gets[(idx * 7 + i) % len(gets)], p.requests, "get")
        return step

    def captures(p: Phase) -> Any:
        async def step(idx: int, conn: HttpConnection, i: int) -> None:
            mine = pool[idx]
            ref = mine[i % len(mine)]
            await timed(conn, api.capture(ref, CAPTURE_VALUE, f"{api.prefix}k{idx}x{i}"), p.requests, "capture")
        return step

    def cycles(p: Phase) -> Any:
        assert p.cycles is not None
        cyc = p.cycles

        async def step(idx: int, conn: HttpConnection, i: int) -> None:
            ref = api.ref("f", idx, i)
            t0 = time.perf_counter()  # a failing step raises StepFailedError; its error is counted as a request error
            await timed(conn, api.create(ref, CYCLE_AMOUNT), p.requests, "cycle create")
            await timed(conn, api.approve(ref), p.requests, "cycle approve")
            await timed(conn, api.capture(ref, CYCLE_AMOUNT, ref + "-cap"), p.requests, "cycle capture")
            cyc.ok(t0, time.perf_counter())
        return step

    return {"creates": creates, "gets": get, "captures": captures, "cycles": cycles}


async def run_all(server: Server, args: argparse.Namespace) -> list[dict[str, Any]]:
    rb = RequestBuilder("127.0.0.1", server.port, get_token(server.base), DEMO["msn"], DEMO["subscription_key"])
    api = Api(rb, secrets.token_hex(3))
    conns = [HttpConnection("127.0.0.1", server.port) for _ in range(args.connections)]
    results = []
    try:
        await spread_connects(conns, getattr(args, "connect_gap", 0.0))
        pool: list[list[str]] = []
        if {"gets", "captures"} & set(args.scenarios):
            pool = await setup_pool(api, conns, args.pool_per_connection)
            # the stored payments the gets read, once, as the pool was: its working set cached (bench/README.md)
            await send_each(conns, [api.get(r) for r in getattr(args, "stored_references", None) or []])
        by_name = steps(api, pool, getattr(args, "stored_references", None))
        for name in args.scenarios:
            unit = unit_of(name)

            def phase_of(start: float, end: float, name: str = name, unit: str = unit) -> Phase:
                return Phase(name, unit, Recorder(start, end), Recorder(start, end) if name == "cycles" else None)

            print(f"  running {name} for {args.warmup:g}+{args.duration:g} s ...", file=sys.stderr, flush=True)
            results.append(await measure(server, conns, phase_of, by_name[name], args.warmup, args.duration,
                                         args.connections))
    finally:
        for c in conns:
            c.close()
    return results


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--duration", type=float, default=10.0, help="measured seconds per scenario (default 10)")
    p.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each scenario (default 1)")
    p.add_argument("--connections", type=int, default=32, help="concurrent keep-alive connections (default 32)")
    p.add_argument("--scenarios", default=",".join(SCENARIOS),
                   help=f"comma-separated subset of {','.join(SCENARIOS)} (default all, in that order)")
    p.add_argument("--pool-per-connection", type=int, default=4,
                   help="approved payments per connection for gets and captures (default 4)")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--tmp-dir", default=None, help="where the temporary SQLite file goes (default: system temp)")
    p.add_argument("--no-writer-stats", action="store_true",
                   help="run plain `python -m kasse serve` without the writer batch-stats hook")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (database, server log)")
    p.add_argument("--experiment-gc-freeze", action="store_true",
                   help="what-if: gc.freeze() in the server worker after startup (needs the writer-stats hook)")
    p.add_argument("--experiment-switch-interval", type=float, metavar="SECONDS",
                   help="what-if: sys.setswitchinterval(SECONDS) in the server (needs the writer-stats hook)")
    args = p.parse_args(argv)
    if args.no_writer_stats and (args.experiment_gc_freeze or args.experiment_switch_interval):
        p.error("the --experiment-* options need the writer-stats hook (drop --no-writer-stats)")
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        p.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if args.connections < 1 or args.duration <= 0 or args.pool_per_connection < 1:
        p.error("--connections, --duration and --pool-per-connection must be positive")
    return args


@contextlib.contextmanager
def workdir(args: argparse.Namespace) -> Iterator[Path]:
    if args.keep:
        path = Path(tempfile.mkdtemp(prefix="kasse-bench-", dir=args.tmp_dir))
        print(f"  keeping {path}", file=sys.stderr)
        yield path
    else:
        with tempfile.TemporaryDirectory(prefix="kasse-bench-", dir=args.tmp_dir) as tmp:
            yield Path(tmp)


def new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


def experiments(args: argparse.Namespace) -> dict[str, str]:
    env = {}
    if args.experiment_gc_freeze:
        env["KASSE_BENCH_GC_FREEZE"] = "1"
    if args.experiment_switch_interval:
        env["KASSE_BENCH_SWITCH_INTERVAL"] = str(args.experiment_switch_interval)
    return env


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    meta = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "connections": args.connections,
        "duration": args.duration,
        "warmup": args.warmup,
        "cpus": os.cpu_count(),
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": sys.version.split()[0],
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "server": "python -m kasse serve" if args.no_writer_stats else "bench/serve_stats.py (kasse serve + stats)",
        "experiments": experiments(args),
    }
    with workdir(args) as tmp:
        meta["db_fs"] = fs_type(tmp)
        print(f"  starting kasse serve (db in {tmp}) ...", file=sys.stderr, flush=True)
        try:
            server = start_server(tmp, writer_stats=not args.no_writer_stats, experiment_env=experiments(args))
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        try:
            loop = new_loop()
            try:
                results = loop.run_until_complete(run_all(server, args))
            finally:
                loop.close()
        except (RuntimeError, OSError, urllib.error.URLError) as exc:
            print(f"error: {exc}\n--- server log ---\n{server.log_tail()}", file=sys.stderr)
            return 2
        finally:
            stop_server(server)
    meta["loadavg_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    report(results, meta)
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "target": TARGET_LINE, "results": results,
                                                "verdicts": [{"figure": k, "value": v, "pass": ok}
                                                             for k, v, ok in verdicts(results, args.connections)]},
                                               indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
