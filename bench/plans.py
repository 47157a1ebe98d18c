"""PostgreSQL's query plans for the queries of the hot paths, the loops and the console lists, on a full store.

    .venv/bin/python bench/plans.py [--preload 1000000] [--database-url URL]

SQLite's plans are a test (tests/integration/scale/test_query_plans.py); PostgreSQL's planner chooses by the data,
so they are checked here on a private schema holding N payments (bench/preload.py). The statements are the
repositories' own: each repository method runs against a recorder that keeps its SQL and parameters, and
each is then put to `EXPLAIN`. A sequential scan of a big table is flagged; the exit status is 1 if any.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from postgres import DEFAULT_URL, private_schema
from preload import EPOCH_US, MSN, preload, reference

from kasse.adapters.postgres.connection import translate
from kasse.adapters.sql.unit_of_work import SqlUnitOfWork
from kasse.adapters.sql.webhook_repositories import delivery_history, events_since, last_event_id
from kasse.services.read_models import PaymentFilter, PaymentKey

BIG = ("payments", "payment_events", "idempotency_keys", "webhook_deliveries", "webhook_delivery_attempts",
       "wallet_requests", "rate_limits")


class Recorder:
    """A connection that answers nothing and keeps every statement it is given."""

    dialect = "postgresql"

    def __init__(self) -> None:
        self.seen: list[tuple[str, Sequence[Any]]] = []

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Recorder:
        self.seen.append((sql, params))
        return self

    def fetchone(self) -> Any:
        return None

    def fetchall(self) -> list[Any]:
        return []

    rowcount = 0


def statements(run: str) -> list[tuple[str, tuple[str, Sequence[Any]]]]:
    now, ref = datetime.now(UTC), reference(run, 12_345)
    key = PaymentKey(datetime.fromtimestamp((EPOCH_US + 12_345_000) / 1e6, UTC), MSN, ref)
    calls: list[tuple[str, Callable[[SqlUnitOfWork], object]]] = [
        ("GET payment", lambda u: u.payments.get(MSN, ref)),
        ("payment page by token", lambda u: u.payments.get_by_token(f"tok-{run}-12345")),
        ("idempotency key", lambda u: u.idempotency.get(MSN, ref)),
        ("GET events", lambda u: u.events.list(MSN, ref)),
        ("expiry sweep", lambda u: u.payments.due_for_expiry(now, 500)),
        ("delivery loop: due", lambda u: u.deliveries.due(now, 64)),
        ("wallet loop: due", lambda u: u.wallet.due_requests(now, 1)),
        ("wallet page", lambda u: u.wallet.requests_of("4712345678", 20)),
        ("event stream", lambda u: events_since(u.conn, MSN, 1_000, 500)),
        ("event stream start", lambda u: last_event_id(u.conn)),
        ("deliveries of a payment", lambda u: delivery_history(u.conn, reference=ref)),
        ("deliveries of a sales unit", lambda u: delivery_history(u.conn, msn=MSN)),
        ("console list: first page", lambda u: u.payment_list.page(PaymentFilter())),
        ("console list: sales unit", lambda u: u.payment_list.page(PaymentFilter(msn=MSN))),
        ("console list: state", lambda u: u.payment_list.page(PaymentFilter(state="CREATED"))),
        ("console list: reference", lambda u: u.payment_list.page(PaymentFilter(text=ref))),
        ("console list: a day", lambda u: u.payment_list.page(PaymentFilter(since=now - timedelta(days=1),
                                                                            until=now))),
        ("console list: deep page", lambda u: u.payment_list.page(PaymentFilter(), older_than=key)),
        ("console list: deep page, unit", lambda u: u.payment_list.page(PaymentFilter(msn=MSN), older_than=key)),
    ]
    found = []
    for name, call in calls:
        recorder = Recorder()
        with contextlib.suppress(TypeError, IndexError):  # it read an answer the recorder does not give
            call(SqlUnitOfWork(recorder))
        found += [(name, s) for s in recorder.seen]
    return found


def explain(conn: psycopg.Connection[Any], sql: str, params: Sequence[Any]) -> list[str]:
    query = translate(sql) if params else sql
    text = psycopg.ClientCursor(conn).mogrify(query, params or None)
    return [row[0] for row in conn.execute(f"EXPLAIN {text}")]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--preload", type=int, default=1_000_000, metavar="N", help="payments to store (default 1M)")
    p.add_argument("--database-url", default=os.environ.get("KASSE_BENCH_DATABASE_URL", DEFAULT_URL))
    args = p.parse_args(argv)
    scans = 0
    with private_schema(args.database_url) as url:
        took = preload(args.preload, "plan", database_url=url)
        print(f"{args.preload:,} payments stored in {took:.0f} s\n")
        with psycopg.connect(url, autocommit=True) as conn:
            for name, (sql, params) in statements("plan"):
                plan = explain(conn, sql, params)
                bad = [line for line in plan if re.search(rf"Seq Scan on ({'|'.join(BIG)})\b", line)]
                scans += bool(bad)
                print(f"{'SCAN ' if bad else 'ok   '} {name}: {plan[0].strip()}")
                for line in plan[1:]:
                    print(f"        {line}")
    print(f"\n{scans} of the queries scan a big table")
    return 1 if scans else 0


if __name__ == "__main__":
    sys.exit(main())
