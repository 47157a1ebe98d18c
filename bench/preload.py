"""Fill a kasse store with N payments fast, in bulk, not through the API (`--preload N`, issue #17 "Growth").

Each payment is what a create and an approval leave behind: the payment row (AUTHORIZED, of the demo sales
unit), its CREATED and AUTHORIZED events and the idempotency record of its create. SQLite gets one
transaction of `executemany` batches with `synchronous=OFF` (the file is thrown away after the run);
PostgreSQL gets `COPY`. The schema is migrated first, exactly as `kasse db upgrade` does. References are
`pre-<run>-<i>`, so `sample_references` can name some for the gets scenario to read.

    .venv/bin/python bench/preload.py --db /tmp/k.db 1000000          # or --database-url URL
"""

from __future__ import annotations

import argparse
import itertools
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from typing import Any

import orjson

from kasse.adapters.sql import statements, tables
from kasse.bootstrap import upgrade_schema
from kasse.settings import Settings

MSN = "123456"  # the demo sales unit, which `kasse serve` seeds
AMOUNT = 49_900
CHUNK = 20_000
EPOCH_US = 1_700_000_000_000_000  # 2023-11-14: long before anything the run creates


def reference(run: str, i: int) -> str:
    return f"pre-{run}-{i:08d}"


def sample_references(run: str, n: int, count: int) -> list[str]:
    step = max(1, n // count)
    return [reference(run, i) for i in range(0, n, step)][:count]


def _rows(run: str, n: int) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]], tuple[Any, ...]]]:
    response = b'{"reference":"%s"}'
    for i in range(n):
        ref = reference(run, i)
        at = EPOCH_US + i * 1_000
        details = orjson.dumps({"paymentMethod": "WALLET", "userFlow": "QR", "customerInteraction": "CUSTOMER_PRESENT",
                                "paymentDescription": "kasse preload"}).decode()
        payment = (MSN, ref, f"psp-{run}-{i}-a", "AUTHORIZED", "NOK", AMOUNT, AMOUNT, 0, 0, 0, at, at + 600_000_000,
                   2, ref, f"tok-{run}-{i}", details)
        events = [(MSN, ref, f"psp-{run}-{i}-c", "CREATED", "NOK", AMOUNT, at, ref, True),
                  (MSN, ref, f"psp-{run}-{i}-a", "AUTHORIZED", "NOK", AMOUNT, at + 5_000_000, None, True)]
        key = (MSN, ref, "0" * 64, 201, response % ref.encode(), at)
        yield payment, events, key


def _chunks(run: str, n: int) -> Iterator[tuple[list[Any], list[Any], list[Any]]]:
    source = _rows(run, n)
    while chunk := list(itertools.islice(source, CHUNK)):
        yield [c[0] for c in chunk], [e for c in chunk for e in c[1]], [c[2] for c in chunk]


def preload_sqlite(path: str, n: int, run: str) -> None:
    upgrade_schema(Settings(database=path))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    conn.execute("BEGIN")
    for payments, events, keys in _chunks(run, n):
        conn.executemany(statements.insert(tables.payments), payments)
        conn.executemany(statements.insert(tables.payment_events, ("id",)), events)
        conn.executemany(statements.insert(tables.idempotency_keys), keys)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()  # the last connection: checkpoints the WAL into the file and removes it
    _make_durable(path)


def _make_durable(path: str) -> None:
    """Write the fill to disk now, as a store filled long ago would be.

    Written with `synchronous=OFF`, the gigabyte of a million payments sits dirty in the page cache. The
    kernel writes it back 30 s later, or at the server's first fsync (ext4 orders a journal commit after the
    data before it): inside the measured window, where a several-second stall of the first commits was
    being counted as the cost of a large store.
    """
    with open(path, "rb+") as f:
        os.fsync(f.fileno())
    directory = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def preload_postgres(url: str, n: int, run: str) -> None:
    import psycopg
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex

    from kasse.adapters.postgres.connection import libpq_url

    upgrade_schema(Settings(database_url=url))
    filled = (tables.payments, tables.payment_events, tables.idempotency_keys)
    # the secondary indexes are built once after the COPY, which is about twice as fast as growing them
    indexes = [index for table in filled for index in table.indexes]
    dialect = postgresql.dialect()
    with psycopg.connect(libpq_url(url)) as conn, conn.cursor() as cur:
        conn.execute("SET synchronous_commit = off")  # one commit at the end; the run throws the schema away
        conn.execute("SET maintenance_work_mem = '256MB'")
        for index in indexes:
            conn.execute(f"DROP INDEX {index.name}")
        for position, table in enumerate(filled):
            without = ("id",) if table is tables.payment_events else ()
            with cur.copy(f"COPY {table.name} ({statements.columns(table, without)}) FROM STDIN") as copy:
                for chunk in _chunks(run, n):
                    for row in chunk[position]:
                        copy.write_row(row)
        for index in indexes:
            conn.execute(str(CreateIndex(index).compile(dialect=dialect)))
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE payments")
        conn.execute("VACUUM ANALYZE payment_events")
        conn.execute("VACUUM ANALYZE idempotency_keys")
        conn.execute("CHECKPOINT")  # the fill on disk now, not written out by the checkpointer during the window


def preload(n: int, run: str, *, db: str | None = None, database_url: str | None = None) -> float:
    """Fill the store; return the seconds it took."""
    started = time.perf_counter()
    if database_url:
        preload_postgres(database_url, n, run)
    else:
        assert db is not None
        preload_sqlite(db, n, run)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("count", type=int, help="how many payments to store")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", help="SQLite file")
    where.add_argument("--database-url", help="PostgreSQL URL (its search_path decides the schema)")
    p.add_argument("--run", default="x", help="a tag in the references, so several fills do not collide")
    args = p.parse_args(argv)
    if args.count < 1:
        p.error("count must be positive")
    took = preload(args.count, args.run, db=args.db, database_url=args.database_url)
    print(f"stored {args.count:,} payments in {took:.1f} s ({args.count / took:,.0f}/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
