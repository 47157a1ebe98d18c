"""psycopg 3 in pipeline mode (kasse's PostgreSQL adapter) against asyncpg, on the database work of one create.

    .venv/bin/python bench/drivers.py [--duration 5] [--concurrency 32]     # needs `pip install asyncpg`

No HTTP: C asyncio tasks each run creates back to back for the duration, and the figures are creates/s,
this process's CPU per create and the PostgreSQL server's CPU per create (every `postgres` process).

- `psycopg-pipeline`: `PostgresDatabase.write` of the job kasse's create route runs (read ahead the payment
  and the idempotency key, then the payment, its event, its deliveries and the idempotency record), with
  group commit: kasse as shipped, minus HTTP.
- `asyncpg`: the same statements on a pool of asyncpg connections on the event loop, the way an asyncpg
  adapter would run them: the two reads in one round trip (a UNION ALL), then the four writes in one
  statement (data-modifying CTEs) that commits by itself, so each create pays its own commit.

Each driver gets a private schema, dropped at the end. See docs/decisions.md for the figures and the choice.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import psycopg
from server_process import postgres_cpu

from kasse.adapters.postgres.connection import libpq_url, with_schema
from kasse.adapters.postgres.database import PostgresDatabase
from kasse.adapters.sql import rows, statements, tables
from kasse.adapters.sql.unit_of_work import SqlUnitOfWork
from kasse.domain.money import Currency, Money
from kasse.domain.payment import start
from kasse.services.ports import StoredResponse

MSN = "123456"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def schema(url: str) -> Iterator[str]:
    name = f"kasse_drivers_{secrets.token_hex(4)}"
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    try:
        yield with_schema(libpq_url(url), name)
    finally:
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


def payment_rows(ref: str) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    now = datetime.now(UTC)
    payment, event = start(msn=MSN, reference=ref, amount=Money(49900, Currency.NOK), at=now, psp_reference=ref,
                           expires_at=now + timedelta(minutes=10), idempotency_key=ref,
                           details={"paymentMethod": "WALLET", "userFlow": "QR"})
    key = (MSN, ref, "0" * 64, 201, b'{"reference":"%s"}' % ref.encode(), rows.to_us(now))
    return rows.payment_to_row(payment, None), rows.event_to_row(event), key


async def psycopg_pipeline(url: str, run: Callable[[Callable[[str], Awaitable[None]]], Awaitable[int]]) -> int:
    db = PostgresDatabase(url, listen=False).open()

    def job_for(ref: str) -> Callable[[SqlUnitOfWork], None]:
        now = datetime.now(UTC)
        payment, event = start(msn=MSN, reference=ref, amount=Money(49900, Currency.NOK), at=now,
                               psp_reference=ref, expires_at=now + timedelta(minutes=10), idempotency_key=ref,
                               details={"paymentMethod": "WALLET", "userFlow": "QR"})

        def job(uow: SqlUnitOfWork) -> None:
            uow.payments.expect(MSN, ref)
            assert uow.idempotency.get(MSN, ref) is None and uow.payments.get(MSN, ref) is None
            uow.payments.add(payment, None)
            uow.events.append(event)
            uow.outbox.enqueue(event)
            uow.idempotency.put(MSN, ref, StoredResponse("0" * 64, 201, b"{}"), now)

        return job

    async def create(ref: str) -> None:
        await db.write(job_for(ref), reads=(MSN, ref, ref))  # as write_once names them: read ahead for a batch

    try:
        return await run(create)
    finally:
        db.close()


_READS = ("SELECT 'p', reference FROM payments WHERE msn = $1 AND reference = $2"
          " UNION ALL SELECT 'k', key FROM idempotency_keys WHERE msn = $1 AND key = $2")


def _writes() -> str:
    def values(table: Any, without: tuple[str, ...], first: int) -> str:
        n = len(statements.columns(table, without).split(", "))
        return f"({statements.columns(table, without)}) VALUES ({', '.join(f'${i}' for i in range(first, first + n))})"

    pay = values(tables.payments, (), 1)
    ev = values(tables.payment_events, ("id",), 17)
    key = values(tables.idempotency_keys, (), 26)
    return (f"WITH p AS (INSERT INTO payments {pay}), e AS (INSERT INTO payment_events {ev} RETURNING id),"
            " d AS (INSERT INTO webhook_deliveries (webhook_id, msn, reference, event_id, event_type, payload, state,"
            " attempts, created_at, next_attempt_at) SELECT s.webhook_id, $1, $2, e.id, 'epayments.payment.created.v1',"
            " $32, 'PENDING', 0, $11, $11 FROM e, webhook_subscriptions AS s WHERE s.msn = $1"
            f" AND s.event_type = 'epayments.payment.created.v1') INSERT INTO idempotency_keys {key}")


async def asyncpg_driver(url: str, run: Callable[[Callable[[str], Awaitable[None]]], Awaitable[int]]) -> int:
    import asyncpg

    PostgresDatabase(url).upgrade()
    dsn, _, query = url.partition("?")
    options = dict(p.split("=", 1) for p in query.split("&") if p)
    search_path = options.get("options", "").replace("-csearch_path%3D", "")
    pool = await asyncpg.create_pool(dsn, min_size=8, max_size=8, server_settings={"search_path": search_path})
    writes = _writes()

    async def create(ref: str) -> None:
        payment, event, key = payment_rows(ref)
        async with pool.acquire() as conn:
            found = await conn.fetch(_READS, MSN, ref)
            assert not found
            await conn.execute(writes, *payment, *event, *key, orjson.dumps({"reference": ref}))

    try:
        return await run(create)
    finally:
        await pool.close()


def measure(driver: Callable[..., Awaitable[int]], url: str, duration: float, concurrency: int) -> dict[str, float]:
    async def main() -> dict[str, float]:
        marks: dict[str, float] = {}

        async def run(create: Callable[[str], Awaitable[None]]) -> int:
            tag = secrets.token_hex(3)
            for i in range(concurrency * 4):  # warm up: connections, prepared statements
                await create(f"w{tag}-{i}")
            done = 0
            end = time.perf_counter() + duration
            marks.update(t=time.perf_counter(), cpu=time.process_time(), pg=postgres_cpu())

            async def worker(w: int) -> None:
                nonlocal done
                i = 0
                while time.perf_counter() < end:
                    await create(f"b{tag}-{w}-{i}")
                    i += 1
                    done += 1

            await asyncio.gather(*(worker(w) for w in range(concurrency)))
            marks.update(t=time.perf_counter() - marks["t"], cpu=time.process_time() - marks["cpu"],
                         pg=postgres_cpu() - marks["pg"])
            return done

        n = await driver(url, run)
        return {"creates_per_s": n / marks["t"], "client_cpu_ms": marks["cpu"] * 1000 / n,
                "postgres_cpu_ms": marks["pg"] * 1000 / n}

    return asyncio.run(main())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--duration", type=float, default=5.0, help="measured seconds per driver and round (default 5)")
    p.add_argument("--concurrency", type=int, default=32, help="creates in flight (default 32)")
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds of both drivers (default 2)")
    p.add_argument("--database-url", default=os.environ.get("KASSE_BENCH_DATABASE_URL", DEFAULT_URL))
    p.add_argument("--drivers", default="psycopg-pipeline,asyncpg", help="which, in this order")
    args = p.parse_args(argv)
    known = {"psycopg-pipeline": psycopg_pipeline, "asyncpg": asyncpg_driver}
    drivers = {name: known[name] for name in args.drivers.split(",")}
    print(f"{'driver':<18} {'creates/s':>10} {'client CPU/create':>18} {'PG CPU/create':>14}   "
          f"load {os.getloadavg()[0]:.1f}")
    for _ in range(args.rounds):
        for name, driver in drivers.items():
            with schema(args.database_url) as url:
                r = measure(driver, url, args.duration, args.concurrency)
            print(f"{name:<18} {r['creates_per_s']:>10,.0f} {r['client_cpu_ms']:>15.3f} ms "
                  f"{r['postgres_cpu_ms']:>11.3f} ms", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
