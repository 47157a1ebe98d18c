"""The growth check of issue #17 (`bench/postgres.py --preload N`): an empty store and one holding N payments,
both served at once, measured in alternating short windows.

Measured minutes apart, the two stores' ratio followed the speed of the shared machine, which drifts by 20-35%
over minutes, more than it followed the store. Here both servers run side by side (same backend, same number of
worker processes, each on its own loopback port and its own store) and each scenario alternates between them,
`--window` seconds at a time, until each has had `--duration` seconds: neighbouring windows see the same machine.
The client keeps its connections to each server open across windows and scenarios, so no window pays connects.
interleave.py aggregates the windows and compares the two sides.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import sys
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from interleave import Window, aggregate, compare, window_lengths
from loadgen import HttpConnection, Recorder, RequestBuilder, run_closed_loop, send_each, spread_connects
from report import unit_of
from run import Api, Phase, Snapshot, new_loop, setup_pool, snapshot, steps, thread_breakdown
from server_process import DEMO, Server, get_token, start_server, stop_server

Steps = dict[str, Callable[[Phase], Any]]


@dataclass
class Side:
    """One of the two servers and the client's state for it, kept across windows and scenarios."""

    server: Server
    conns: list[HttpConnection]
    steps: Steps
    iterations: list[int]  # the next iteration of each connection: a window must not reuse a reference or key


async def open_side(server: Server, stored: list[str], args: argparse.Namespace) -> Side:
    """Connect once, set up the pool the gets and captures use, and read the stored payments the gets will read
    once (as the pool was just written: both working sets warm)."""
    rb = RequestBuilder("127.0.0.1", server.port, get_token(server.base), DEMO["msn"], DEMO["subscription_key"])
    api = Api(rb, secrets.token_hex(3))
    conns = [HttpConnection("127.0.0.1", server.port) for _ in range(args.connections)]
    await spread_connects(conns, args.connect_gap)
    pool: list[list[str]] = []
    if {"gets", "captures"} & set(args.scenarios):
        pool = await setup_pool(api, conns, args.pool_per_connection)
        await send_each(conns, [api.get(r) for r in stored])
    return Side(server, conns, steps(api, pool, stored), [0] * len(conns))


def new_phase(name: str, start: float) -> Phase:
    """A phase whose recorders keep every outcome from `start` on: see interleave.Window."""
    unit = unit_of(name)
    cycles = Recorder(start, float("inf")) if name == "cycles" else None
    return Phase(name, unit, Recorder(start, float("inf")), cycles)


async def drive(side: Side, phase: Phase, end: float) -> None:
    """Run the scenario's step on every connection until `end`, the iterations going on from the last window."""
    step = side.steps[phase.name](phase)

    async def counted(idx: int, conn: HttpConnection, _i: int) -> None:
        i = side.iterations[idx]
        side.iterations[idx] += 1
        await step(idx, conn, i)

    await run_closed_loop(side.conns, counted, end)


async def window(side: Side, name: str, length: float) -> Window:
    """One measured window of one side; the CPU is read outside it, so the reading costs the window nothing."""
    a = snapshot(side.server)
    start = time.perf_counter()
    phase = new_phase(name, start)
    await drive(side, phase, start + length)
    b = snapshot(side.server)
    return window_of(phase, length, a, b, side.server)


def window_of(phase: Phase, length: float, a: Snapshot, b: Snapshot, server: Server) -> Window:
    """The window's outcomes and its CPU in seconds (not cores), so that interleave.aggregate can add them up."""
    wall, main = b.t - a.t, phase.cycles or phase.requests
    threads = thread_breakdown(a, b, server.worker_pid(), None)
    return Window(
        length=length, wall=wall, latencies=main.latencies,
        requests=phase.requests.latencies if phase.cycles else None,
        errors=phase.requests.errors, error_kinds=phase.requests.error_kinds,
        error_samples=phase.requests.error_samples,
        server_cpu=b.server_cpu - a.server_cpu, postgres_cpu=b.postgres - a.postgres,
        client_cpu=b.client_cpu - a.client_cpu,
        by_process=[y - x for x, y in zip(a.by_process, b.by_process, strict=True)],
        threads={kind: cores * wall for kind, cores in threads.items()}, rss_mb=(a.worker_rss_mb, b.worker_rss_mb),
    )


async def in_turns(sides: tuple[Side, Side], args: argparse.Namespace) -> dict[str, tuple[list[Window], ...]]:
    """Each scenario: an unmeasured warm-up of each side, then windows in turns, ABBA: the empty store first in
    one pair, the full one first in the next, so a machine slowing down (or speeding up) favours neither."""
    lengths = window_lengths(args.duration, args.window)
    measured: dict[str, tuple[list[Window], ...]] = {}
    for name in args.scenarios:
        print(f"  running {name}: {args.warmup:g} s warm-up per store, then {len(lengths)} windows of "
              f"{lengths[0]:.2g} s per store, in turns ...", file=sys.stderr, flush=True)
        for side in sides:
            await drive(side, new_phase(name, time.perf_counter()), time.perf_counter() + args.warmup)
        got: tuple[list[Window], ...] = ([], [])
        for i, length in enumerate(lengths):
            turns = list(zip(sides, got, strict=True))
            for side, out in turns if i % 2 == 0 else turns[::-1]:
                out.append(await window(side, name, length))
        measured[name] = got
    return measured


async def measure_both(servers: tuple[Server, Server], stored: list[str],
                       args: argparse.Namespace) -> dict[str, tuple[list[Window], ...]]:
    """Open both sides (the full store's gets read `stored`), measure every scenario in turns, close them."""
    sides: list[Side] = []
    try:
        for server, refs in zip(servers, ([], stored), strict=True):
            sides.append(await open_side(server, refs, args))
        return await in_turns((sides[0], sides[1]), args)
    finally:
        for side in sides:
            for conn in side.conns:
                conn.close()


def preloaded(stored: int, where: Path, url: str | None) -> list[str]:
    """Fill the store in bulk; return the references of 4,096 of its payments, spread over it, for the gets."""
    from preload import preload, sample_references  # imports kasse's tables: only when asked for

    run = secrets.token_hex(3)
    print(f"  preloading {stored:,} payments into {'postgres' if url else 'sqlite'} ...", file=sys.stderr, flush=True)
    took = preload(stored, run, db=str(where / "kasse.db"), database_url=url)
    print(f"  preloaded in {took:.1f} s ({stored / took:,.0f} payments/s)", file=sys.stderr, flush=True)
    return sample_references(run, stored, 4096)


def run_pair(backend: str, workers: int, tmp: Path, args: argparse.Namespace,
             schema: Callable[[str], contextlib.AbstractContextManager[str]]) -> tuple[list[dict[str, Any]], ...]:
    """Start an empty store's server and a full store's (`args.preload` payments) side by side, measure them in
    turns, stop both. Return each side's results (run.py's shape) and the growth rows comparing them."""
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(schema(args.database_url)) if backend == "postgres" else None for _ in "ef"]
        wheres = [tmp / f"{backend}-{workers}-{n}" for n in (0, args.preload)]
        for where in wheres:
            where.mkdir()
        stored = preloaded(args.preload, wheres[1], urls[1])
        print(f"  starting two kasse serve on {backend} ({workers} process{'es' if workers > 1 else ''} each) ...",
              file=sys.stderr, flush=True)
        servers: list[Server] = []
        for where, url in zip(wheres, urls, strict=True):
            servers.append(start_server(where, writer_stats=False, database_url=url, workers=workers,
                                        serve_script=args.experiment_serve_script if url else None))
            stack.callback(stop_server, servers[-1])
        loop = new_loop()
        try:
            measured = loop.run_until_complete(measure_both((servers[0], servers[1]), stored, args))
        except (RuntimeError, OSError, urllib.error.URLError) as exc:
            logs = "".join(f"\n--- {s.workdir.name} server log ---\n{s.log_tail()}" for s in servers)
            raise RuntimeError(f"{backend}: {exc}{logs}") from None
        finally:
            loop.close()
    return sides_and_rows(measured, backend, workers, args)


def sides_and_rows(measured: dict[str, tuple[list[Window], ...]], backend: str, workers: int,
                   args: argparse.Namespace) -> tuple[list[dict[str, Any]], ...]:
    """Each side's aggregates per scenario (tagged as run_backend's results are) and the growth rows."""
    empty: list[dict[str, Any]] = []
    full: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for name, (e_windows, f_windows) in measured.items():
        unit = unit_of(name)
        e, f = (aggregate(w, name, unit, args.connections) for w in (e_windows, f_windows))
        e.update(backend=backend, workers=workers, stored=0)
        f.update(backend=backend, workers=workers, stored=args.preload)
        empty.append(e)
        full.append(f)
        for row in compare(e_windows, f_windows, e, f, postgres=backend == "postgres"):
            rows.append({**row, "backend": backend, "workers": workers, "stored": args.preload})
    return empty, full, rows
