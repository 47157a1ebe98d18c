"""How much CPU does the load generator itself cost? Raw asyncio streams vs httpx, on the same server.

    .venv/bin/python bench/compare_clients.py [--duration 5] [--connections 32]

Runs GET /epayment/v1/payments/{ref} (the cheapest API call, so the client's share is largest)
closed-loop with each client and prints requests/s, the client's CPU per request and the
server's. This is why bench/run.py uses the raw client (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from loadgen import HttpConnection, Recorder, RequestBuilder, run_closed_loop, summary, timed
from run import DEMO, Api, get_token, new_loop, setup_pool, start_server, stop_server


async def raw_client(port: int, token: str, refs: list[str], conns: int, seconds: float) -> Recorder:
    rb = RequestBuilder("127.0.0.1", port, token, DEMO["msn"], DEMO["subscription_key"])
    requests = [rb.get(f"/epayment/v1/payments/{r}") for r in refs]
    connections = [HttpConnection("127.0.0.1", port) for _ in range(conns)]
    end = time.perf_counter() + seconds
    rec = Recorder(0.0, end)

    async def step(idx: int, conn: HttpConnection, i: int) -> None:
        await timed(conn, requests[(idx * 7 + i) % len(requests)], rec, "get")

    await run_closed_loop(connections, step, end)
    for c in connections:
        c.close()
    return rec


async def httpx_client(port: int, token: str, refs: list[str], conns: int, seconds: float) -> Recorder:
    headers = {"Authorization": f"Bearer {token}", "Ocp-Apim-Subscription-Key": DEMO["subscription_key"],
               "Merchant-Serial-Number": DEMO["msn"]}
    limits = httpx.Limits(max_connections=conns, max_keepalive_connections=conns)
    end = time.perf_counter() + seconds
    rec = Recorder(0.0, end)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers, limits=limits) as client:

        async def worker(idx: int) -> None:
            i = 0
            while time.perf_counter() < end:
                t0 = time.perf_counter()
                r = await client.get(f"/epayment/v1/payments/{refs[(idx * 7 + i) % len(refs)]}")
                if r.status_code == 200:
                    rec.ok(t0, time.perf_counter())
                else:
                    rec.error(time.perf_counter(), f"get HTTP {r.status_code}", r.text)
                i += 1

        await asyncio.gather(*(worker(i) for i in range(conns)))
    return rec


async def compare(args: argparse.Namespace, tmp: Path) -> list[dict[str, Any]]:
    server = start_server(tmp, writer_stats=False)
    try:
        token = get_token(server.base)
        rb = RequestBuilder("127.0.0.1", server.port, token, DEMO["msn"], DEMO["subscription_key"])
        api = Api(rb, "cmp")
        conns = [HttpConnection("127.0.0.1", server.port) for _ in range(args.connections)]
        refs = [r for refs in await setup_pool(api, conns, 2) for r in refs]
        for c in conns:
            c.close()
        rows = []
        for name, run in (("raw asyncio", raw_client), ("httpx", httpx_client)) * 2:
            s0, c0, t0 = server.cpu_seconds(), time.process_time(), time.perf_counter()
            rec = await run(server.port, token, refs, args.connections, args.duration)
            wall = time.perf_counter() - t0
            s1, c1 = server.cpu_seconds(), time.process_time()
            n = len(rec.latencies)
            rows.append({"client": name, "rate": n / wall, "errors": rec.errors, **summary(rec.latencies),
                         "client_cores": (c1 - c0) / wall, "client_us_per_req": (c1 - c0) * 1e6 / max(1, n),
                         "server_cores": (s1 - s0) / wall, "server_us_per_req": (s1 - s0) * 1e6 / max(1, n)})
        return rows
    finally:
        stop_server(server)


def main() -> int:
    p = argparse.ArgumentParser(description="raw asyncio vs httpx load generator cost")
    p.add_argument("--duration", type=float, default=5.0)
    p.add_argument("--connections", type=int, default=32)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="kasse-bench-") as tmp:
        loop = new_loop()
        try:
            rows = loop.run_until_complete(compare(args, Path(tmp)))
        finally:
            loop.close()
    print(f"GET payment, {args.connections} connections, {args.duration:g} s each (two rounds)")
    print(f"{'client':<12} {'req/s':>8} {'p50':>6} {'p99':>6} {'errors':>6} {'client CPU':>11} {'µs/req':>7} "
          f"{'server CPU':>11} {'µs/req':>7}")
    for r in rows:
        print(f"{r['client']:<12} {r['rate']:>8,.0f} {r['p50_ms']:>6.1f} {r['p99_ms']:>6.1f} {r['errors']:>6} "
              f"{r['client_cores']:>6.2f} cores {r['client_us_per_req']:>7.0f} "
              f"{r['server_cores']:>6.2f} cores {r['server_us_per_req']:>7.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
