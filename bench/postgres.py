"""kasse on SQLite (one process) and on PostgreSQL with 1, 2 and 4 worker processes, in one run: throughput,
CPU per operation of kasse and of PostgreSQL apart, and the ceiling that CPU sets per number of cores.

    .venv/bin/python bench/postgres.py [--duration 10] [--workers 1,2,4] [--preload 1000000 [--window 2]]
                                       [--json out.json]

Runs the core scenarios of bench/run.py (creates, gets, captures, cycles) against `kasse serve` on a fresh
SQLite file, then against `kasse serve --workers N` for each N on a private schema of the PostgreSQL database
at --database-url (created for this run and dropped at its end; no other schema is touched). With
--preload N each such server is instead started twice side by side, on an empty store and on one holding N
payments filled in bulk (bench/preload.py), and the two are measured in alternating --window second windows
against the growth targets of issue #17 (bench/growth.py). See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import secrets
import sys
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
from growth import run_pair
from interleave import window_lengths
from report import ceilings, create_targets, git_commit, growth, report
from run import SCENARIOS, new_loop, run_all, workdir
from server_process import fs_type, start_server, stop_server

from kasse.adapters.postgres.connection import libpq_url, with_schema

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgres")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--duration", type=float, default=10.0,
                   help="measured seconds per scenario (default 10; with --preload, per store)")
    p.add_argument("--warmup", type=float, default=1.0,
                   help="unmeasured seconds before each scenario (default 1; with --preload, on each store before "
                        "its first window)")
    p.add_argument("--connections", type=int, default=32, help="concurrent keep-alive connections (default 32)")
    p.add_argument("--scenarios", default=",".join(SCENARIOS),
                   help=f"comma-separated subset of {','.join(SCENARIOS)} (default all, in that order)")
    p.add_argument("--workers", default="1,2,4",
                   help="comma-separated numbers of kasse serve processes on PostgreSQL, one run each (default 1,2,4)")
    p.add_argument("--preload", type=int, default=0, metavar="N",
                   help="the growth check: run each server twice at once, on an empty store and on one holding N "
                        "payments filled in bulk (bench/preload.py), and measure the two in turns (see --window)")
    p.add_argument("--window", type=float, default=2.0, metavar="S",
                   help="with --preload: the length of one measured window; the two stores take turns, S seconds "
                        "at a time (rounded down so equal windows fill --duration), until each had --duration "
                        "(default 2)")
    p.add_argument("--database-url", default=os.environ.get("KASSE_BENCH_DATABASE_URL", DEFAULT_URL),
                   help=f"PostgreSQL database to make a private schema in (default $KASSE_BENCH_DATABASE_URL "
                        f"or {DEFAULT_URL})")
    p.add_argument("--backends", default=",".join(BACKENDS),
                   help="which servers to run, in this order (default sqlite,postgres); one alone skips the ratio")
    p.add_argument("--connect-gap", type=float, default=0.01, metavar="S",
                   help="open the connections one by one, S seconds apart, so the worker processes share them "
                        "(default 0.01; 0 opens them all at once and one worker tends to take them all)")
    p.add_argument("--experiment-serve-script", metavar="PATH",
                   help="what-if: start the PostgreSQL server as `python PATH serve ...` (a script that patches "
                        "kasse, e.g. to A/B another adapter, then runs kasse's CLI) instead of `python -m kasse`")
    p.add_argument("--pool-per-connection", type=int, default=4,
                   help="approved payments per connection for gets and captures (default 4)")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--tmp-dir", default=None, help="where the temporary SQLite file goes (default: system temp)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (SQLite file, server logs)")
    args = p.parse_args(argv)
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if set(args.scenarios) - set(SCENARIOS) or set(args.backends) - set(BACKENDS):
        p.error(f"scenarios are {','.join(SCENARIOS)}; backends are {','.join(BACKENDS)}")
    try:
        args.workers = [int(w) for w in args.workers.split(",") if w.strip()]
    except ValueError:
        p.error("--workers takes numbers of processes, e.g. 1,2,4")
    if (args.connections < 1 or args.duration <= 0 or args.pool_per_connection < 1 or args.preload < 0
            or args.window <= 0 or not args.workers or min(args.workers) < 1):
        p.error("--connections, --duration, --window, --pool-per-connection and --workers must be positive, "
                "--preload not negative")
    return args


@contextlib.contextmanager
def private_schema(url: str) -> Iterator[str]:
    """A fresh schema for this run only, dropped at its end: yields the URL whose search_path is that schema."""
    schema = f"kasse_bench_{secrets.token_hex(4)}"
    dsn = libpq_url(url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_schema(dsn, schema)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def run_backend(backend: str, workers: int, tmp: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Start `kasse serve` on a fresh, empty store, run the scenarios, stop it."""
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(private_schema(args.database_url)) if backend == "postgres" else None
        where = tmp / f"{backend}-{workers}"
        where.mkdir()
        print(f"  starting kasse serve on {backend} ({workers} process{'es' if workers > 1 else ''}) ...",
              file=sys.stderr, flush=True)
        server = start_server(where, writer_stats=False, database_url=url, workers=workers,
                              serve_script=args.experiment_serve_script if url else None)
        try:
            loop = new_loop()
            try:
                results = loop.run_until_complete(run_all(server, args))
            finally:
                loop.close()
        except (RuntimeError, OSError, urllib.error.URLError) as exc:
            raise RuntimeError(f"{backend}: {exc}\n--- server log ---\n{server.log_tail()}") from None
        finally:
            stop_server(server)
        for r in results:
            r.update(backend=backend, workers=workers, stored=0)
        return results


def configurations(args: argparse.Namespace) -> list[tuple[str, int]]:
    """(backend, processes) of every server this run measures, in order (with --preload, each a pair)."""
    servers = [("sqlite", 1)] if "sqlite" in args.backends else []
    return servers + ([("postgres", w) for w in args.workers] if "postgres" in args.backends else [])


def meta_of(backend: str, workers: int, stored: int, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    """What the report's header and the JSON say about one server's run: the machine, the load, the command."""
    paired = " (served at once with the other store, the two measured in turns)" if args.preload else ""
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "commit": git_commit(),
        "connections": args.connections, "duration": args.duration, "warmup": args.warmup,
        **({"window": window_lengths(args.duration, args.window)[0]} if args.preload else {}),
        "cpus": os.cpu_count(), "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": sys.version.split()[0], "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "server": f"python -m kasse serve{f' --workers {workers}' if backend == 'postgres' else ''}"
                  f"{f' holding {stored:,} payments' if stored else (' on an empty store' if args.preload else '')}"
                  f"{paired}",
        "backend": backend, "workers": workers, "stored": stored,
        "experiments": {"serve_script": args.experiment_serve_script}
        if backend == "postgres" and args.experiment_serve_script else {},
        "db_fs": "PostgreSQL server" if backend == "postgres" else fs_type(tmp),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    runs: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    with workdir(args) as tmp:
        for backend, workers in configurations(args):
            metas = [meta_of(backend, workers, n, tmp, args) for n in ((0, args.preload) if args.preload else (0,))]
            try:
                if args.preload:
                    empty, full, rows = run_pair(backend, workers, tmp, args, private_schema)
                    sides, checks = [empty, full], checks + rows
                else:
                    sides = [run_backend(backend, workers, tmp, args)]
            except (RuntimeError, psycopg.Error) as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            for meta, results in zip(metas, sides, strict=True):
                meta["loadavg_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
                runs.append({"meta": meta, "results": results})
    for run in runs:
        print(f"\n==================== {run['meta']['backend']}: {run['meta']['server']}")
        report(run["results"], run["meta"])
    everything = [r for run in runs for r in run["results"]]
    print()
    table = ceilings(everything)
    create_targets(everything)
    if args.preload:
        lengths = window_lengths(args.duration, args.window)
        growth(checks, len(lengths), lengths[0])
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": runs, "ceilings": table, "growth": checks}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
