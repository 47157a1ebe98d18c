"""CPU per create (or get) of kasse's own code, without HTTP: the ASGI app driven in this process.

    .venv/bin/python bench/inprocess.py [--backend postgres|sqlite] [--requests 6000] [--concurrency 32]
    .venv/bin/python bench/inprocess.py --backend postgres --rounds 3 --scenario creates,gets
    .venv/bin/python bench/inprocess.py --backend postgres --request-log both --rounds 8

C asyncio tasks send the benchmark's requests straight to the application (no socket, no granian), after
a warm-up, and the figure is this process's CPU (every thread: the event loop, the writers, the readers)
per request, from `time.process_time`. It leaves out granian, the client and PostgreSQL's backends, and
so moves far less with the box's load than `bench/postgres.py`'s figures: use it to A/B a change of the
request path, then confirm with `bench/postgres.py`. PostgreSQL runs in a private schema, dropped at the
end. Attach `py-spy record --pid <printed pid>` to see where the CPU goes.

`--request-log both` builds two apps in this process, one recording the request log and one not, each on its
own store, and measures them in alternating rounds (ABBA), so the box's drift touches both alike: the
medians' difference is what recording costs a request.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvloop
from postgres import DEFAULT_URL, private_schema
from server_process import DEMO

from kasse.server import build_app, settle_garbage_collector
from kasse.settings import Settings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", choices=("postgres", "sqlite"), default="postgres")
    p.add_argument("--scenario", default="creates", help="comma-separated: creates, gets (default creates)")
    p.add_argument("--requests", type=int, default=6000, help="measured requests per round (default 6000)")
    p.add_argument("--warmup", type=int, default=1000, help="unmeasured requests first (default 1000)")
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--rounds", type=int, default=3, help="measured rounds per scenario (default 3)")
    p.add_argument("--database-url", default=os.environ.get("KASSE_BENCH_DATABASE_URL", DEFAULT_URL))
    p.add_argument("--request-log", choices=("default", "on", "off", "both"), default="default",
                   help="record the request log (default: as kasse does in test mode, on); both: two apps, one "
                        "recording and one not, measured in alternating rounds")
    return p.parse_args(argv)




class Client:
    """Calls the ASGI app as granian would: one `http.request` message with the whole body."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def call(self, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> tuple[
            int, bytes]:
        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
                 "method": method, "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
                 "root_path": "", "headers": [(b"host", b"127.0.0.1:8000"), *headers,
                                              (b"content-length", str(len(body)).encode())],
                 "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {}}
        sent = False
        status, chunks = 0, []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


CLK_TCK = os.sysconf("SC_CLK_TCK")
KINDS = ("MainThread", "kasse-pg-writer", "kasse-pg-read", "kasse-sqlite")


def thread_cpu() -> dict[str, float]:
    """CPU seconds of this process's threads so far, by kind: the event loop, the writers, the readers, the rest."""
    out: dict[str, float] = {}
    for thread in threading.enumerate():
        kind = next((k for k in KINDS if thread.name.startswith(k)), "other")
        label = {"MainThread": "loop", "kasse-pg-writer": "writers", "kasse-pg-read": "readers",
                 "kasse-sqlite": "writers"}.get(kind, "other")
        with contextlib.suppress(OSError, TypeError):
            fields = Path(f"/proc/self/task/{thread.native_id}/stat").read_text().rsplit(")", 1)[1].split()
            out[label] = out.get(label, 0.0) + (int(fields[11]) + int(fields[12])) / CLK_TCK
    return out


def create_body(reference: str) -> bytes:
    return (b'{"amount":{"currency":"NOK","value":49900},"paymentMethod":{"type":"WALLET"},"reference":"%s",'
            b'"userFlow":"QR","customerInteraction":"CUSTOMER_PRESENT","paymentDescription":"kasse bench"}'
            % reference.encode())


async def run(app: Any, args: argparse.Namespace, label: str = "") -> list[float]:
    """Warm up, then measure `args.rounds` rounds of each scenario; return their CPU ms per request."""
    client = Client(app)
    status, body = await client.call("POST", "/accesstoken/get", [
        (b"client_id", DEMO["client_id"].encode()), (b"client_secret", DEMO["client_secret"].encode()),
        (b"ocp-apim-subscription-key", DEMO["subscription_key"].encode()),
        (b"merchant-serial-number", DEMO["msn"].encode())])
    assert status == 200, body
    import orjson

    token = orjson.loads(body)["access_token"]
    auth = [(b"authorization", f"Bearer {token}".encode()),
            (b"ocp-apim-subscription-key", DEMO["subscription_key"].encode()),
            (b"merchant-serial-number", DEMO["msn"].encode()), (b"content-type", b"application/json"),
            (b"vipps-system-name", b"kasse-bench")]
    prefix = f"inproc-{secrets.token_hex(3)}-"
    counter = iter(range(10**9))
    stored: list[str] = []

    async def create() -> None:
        ref = f"{prefix}{next(counter)}"
        st, out = await client.call("POST", "/epayment/v1/payments", [*auth, (b"idempotency-key", ref.encode())],
                                    create_body(ref))
        assert st == 201, out
        if len(stored) < 4096:
            stored.append(ref)

    async def get() -> None:
        ref = stored[next(counter) % len(stored)]
        st, out = await client.call("GET", f"/epayment/v1/payments/{ref}", auth)
        assert st == 200, out

    async def burst(op: Any, n: int) -> None:
        left = iter(range(n))

        async def lane() -> None:
            for _ in left:
                await op()

        await asyncio.gather(*(lane() for _ in range(args.concurrency)))

    await burst(create, max(args.warmup, 200))
    measured: list[float] = []
    for scenario in args.scenario.split(","):
        op = {"creates": create, "gets": get}[scenario]
        await burst(op, args.warmup)
        for r in range(args.rounds):
            cpu, wall, threads = time.process_time(), time.perf_counter(), thread_cpu()
            batches, jobs = getattr(args.db, "batches", 0), getattr(args.db, "jobs", 0)
            await burst(op, args.requests)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            split = "  ".join(f"{name} {1000 * (seconds - threads.get(name, 0.0)) / args.requests:.3f}"
                              for name, seconds in thread_cpu().items())
            batches, jobs = getattr(args.db, "batches", 0) - batches, getattr(args.db, "jobs", 0) - jobs
            rate, per = args.requests / wall, 1000 * cpu / args.requests
            measured.append(per)
            print(f"{label}{scenario:8s} round {r + 1}: {rate:7,.0f}/s  CPU {per:.3f} ms per request ({split};"
                  f" {cpu / wall:.2f} cores; {jobs / max(batches, 1):.1f} jobs per commit;"
                  f" load {os.getloadavg()[0]:.1f})", flush=True)
    return measured


async def alternate(apps: dict[str, Any], args: argparse.Namespace) -> None:
    """Measure the apps one round at a time, ABBA, and print each one's median CPU per request."""
    got: dict[str, list[float]] = {name: [] for name in apps}
    one = argparse.Namespace(**{**vars(args), "rounds": 1})
    for name, (app, container) in apps.items():  # each warms up once in full, then briefly before each round
        one.db = container.db
        await run(app, argparse.Namespace(**{**vars(one), "scenario": "creates"}), f"{name:>4} warm-up ")
    one.warmup = max(args.warmup // 10, 50)
    for r in range(args.rounds):
        for name in list(apps) if r % 2 == 0 else list(apps)[::-1]:
            one.db = apps[name][1].db
            got[name] += await run(apps[name][0], one, f"{name:>4} ")
    medians = {name: statistics.median(values) for name, values in got.items()}
    for name, median in medians.items():
        print(f"request log {name}: median {median:.3f} ms per request over {len(got[name])} rounds "
              f"(min {min(got[name]):.3f})")
    if len(medians) == 2:
        print(f"recording costs {medians['on'] - medians['off']:.3f} ms of this process's CPU per request")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"pid {os.getpid()}, {args.backend}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
          flush=True)
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        modes = ("on", "off") if args.request_log == "both" else (args.request_log,)
        apps: dict[str, Any] = {}
        for mode in modes:
            url = stack.enter_context(private_schema(args.database_url)) if args.backend == "postgres" else None
            settings = Settings(database=f"{tmp}/kasse-{mode}.db", database_url=url, rate_limits=False,
                                request_log={"on": True, "off": False}.get(mode))
            apps[mode] = build_app(settings)
        settle_garbage_collector()

        async def lifespan_and_run() -> None:
            async with contextlib.AsyncExitStack() as running:
                for app, _ in apps.values():
                    await running.enter_async_context(app.router.lifespan_context(app))
                if len(apps) == 2:
                    await alternate(apps, args)
                else:
                    (app, container), = apps.values()
                    args.db = container.db
                    await run(app, args)

        uvloop.run(lifespan_and_run())
        gc.collect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
