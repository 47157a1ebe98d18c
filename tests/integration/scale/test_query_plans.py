"""Every query the hot paths, the loops and the console lists run is answered from an index (issue #17: with a
million payments stored, the cost of a request grows with what it returns or changes, not with what is stored).

The app runs in process on SQLite with every statement traced (parameters filled in) while a test drives it
through the API: creates (QR and push to a wallet user who answers by behaviour), gets, events, captures,
refunds, cancels, a force approval, webhook deliveries to a registration, an expiry sweep after a clock move,
the wallet's pages and the console's delivery lists. Each traced statement is then put to `EXPLAIN QUERY PLAN`:
none may scan the big tables (a `SCAN` of them, even through an index, reads them whole).
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kasse.adapters.sql.webhook_repositories import delivery_history, events_since, last_event_id
from kasse.adapters.sqlite.database import SqliteDatabase
from tests.harness import TEST_DATABASE_URL, InProcessKasse, advance_clock, create_body, in_process, new_reference
from tests.integration.wallet_support import push
from tests.integration.webhook_receiver import poll

BIG = ("payments", "payment_events", "idempotency_keys", "webhook_deliveries", "webhook_delivery_attempts",
       "wallet_requests", "rate_limits")
USER = "4712345678"  # Kari, a demo wallet user
SKIPPED = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA", "INSERT INTO", "CREATE", "ANALYZE")

pytestmark = pytest.mark.skipif(TEST_DATABASE_URL is not None, reason="SQLite's EXPLAIN QUERY PLAN; PostgreSQL's "
                                "plans are checked with a preloaded store (bench/README.md)")


@pytest.fixture
def traced(tmp_path: Path) -> Iterator[tuple[InProcessKasse, list[str]]]:
    seen: list[str] = []
    lock = threading.Lock()

    def trace(sql: str) -> None:
        with lock:
            seen.append(sql)

    for kasse in in_process(tmp_path):
        db = kasse.container.db
        assert isinstance(db, SqliteDatabase)
        db.trace_statements(trace)
        yield kasse, seen
        db.trace_statements(None)


def _drive(kasse: InProcessKasse) -> None:
    demo, client = kasse.demo, kasse.client
    hook = client.post("/webhooks/v1/webhooks", headers=demo.headers(),
                       json={"url": "http://127.0.0.1:9/hook", "events": ["epayments.payment.created.v1"]})
    assert hook.status_code == 201
    assert client.put(f"/_kasse/users/{USER}/behaviour", json={"behaviour": "AUTO_APPROVE",
                                                               "delaySeconds": 0}).status_code == 200
    pushed = push(demo, {"phoneNumber": USER}).json()["reference"]
    poll(lambda: demo.get(pushed).json()["state"], lambda state: state == "AUTHORIZED")
    refs = [new_reference("plan") for _ in range(3)]
    for ref in refs:
        assert demo.create(create_body(ref)).status_code == 201
        assert demo.get(ref).status_code == 200
        assert demo.events(ref).status_code == 200
        assert demo.approve(ref).status_code == 200
    assert demo.modify(refs[0], "capture", 5000).status_code == 200
    assert demo.modify(refs[0], "refund", 1000).status_code == 200
    assert demo.cancel(refs[1]).status_code == 200
    assert demo.create(create_body(new_reference("plan-late"))).status_code == 201
    poll(lambda: client.get("/_kasse/webhooks/deliveries", params={"reference": pushed}).json(),
         lambda found: found and found[0]["attempts"])
    advance_clock(client, 3600)  # the unanswered payment expires; retries come due
    for params in ({"reference": refs[0]}, {"msn": demo.creds.msn}):
        assert client.get("/_kasse/webhooks/deliveries", params=params).status_code == 200
    assert client.get(f"/_kasse/wallet/{USER}/payments").status_code == 200


def _plans(db_path: str, statements: list[str]) -> dict[str, list[str]]:
    conn = sqlite3.connect(db_path)
    plans: dict[str, list[str]] = {}
    for sql in dict.fromkeys(s.strip() for s in statements):
        if sql.upper().startswith(SKIPPED) and "SELECT" not in sql.upper():
            continue
        plans[sql] = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
    conn.close()
    return plans


def _scans(sql: str, plan: list[str]) -> list[str]:
    """The plan's full scans of a big table, by its name or by an alias the statement gives it."""
    names = {table: table for table in BIG}
    for table, alias in re.findall(r"\b(?:FROM|JOIN)\s+(\w+)\s+AS\s+(\w+)", sql, re.IGNORECASE):
        if table in BIG:
            names[alias] = table
    return [step for step in plan if (m := re.match(r"SCAN (\w+)", step)) and m.group(1) in names]


def test_no_query_of_the_hot_paths_loops_or_lists_scans_a_big_table(traced: tuple[InProcessKasse, list[str]]) -> None:
    kasse, seen = traced
    _drive(kasse)
    db = kasse.container.db
    db.read(lambda uow: (events_since(uow.conn, kasse.demo.creds.msn, 0), last_event_id(uow.conn),
                         delivery_history(uow.conn, delivery_id=1, limit=1)))  # the event stream, one delivery

    plans = _plans(db.path, list(seen))

    reads = [sql for sql in plans if sql.upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH"))]
    assert any("FROM payments" in sql and "expires_at" in sql for sql in reads), "the expiry sweep ran"
    assert any("webhook_deliveries" in sql and "next_attempt_at <=" in sql for sql in reads), "the delivery loop ran"
    assert any("due_at" in sql for sql in reads), "the wallet's behaviour loop ran"
    scans = {sql: found for sql, plan in plans.items() if (found := _scans(sql, plan))}
    assert scans == {}


def test_the_console_s_payment_list_seeks_every_filter_and_page(traced: tuple[InProcessKasse, list[str]]) -> None:
    kasse, seen = traced
    refs = [new_reference("plan") for _ in range(3)]
    for ref in refs:
        assert kasse.demo.create(create_body(ref)).status_code == 201
    psp = kasse.demo.events(refs[0]).json()[0]["pspReference"]
    msn, client = kasse.demo.creds.msn, kasse.client
    seen.clear()
    for query in ("", f"?msn={msn}", "?state=CREATED", f"?q={refs[0]}", f"?q={psp}", "?q=plan-",
                  "?from=2026-01-01&to=2030-12-31", f"?msn={msn}&state=CREATED"):
        first = client.get(f"/console/payments{query}")
        assert first.status_code == 200
    older = f"older={1_900_000_000_000_000}_{msn}_{refs[0]}"
    for query in (f"?{older}", f"?msn={msn}&{older}", f"?state=CREATED&{older}", f"?newer=1_{msn}_{refs[0]}"):
        assert client.get(f"/console/payments{query}").status_code == 200
    assert client.get(f"/console/payments/{msn}/{refs[0]}").status_code == 200

    plans = _plans(kasse.container.db.path, list(seen))

    assert any("FROM payments" in sql and "ORDER BY created_at" in sql for sql in plans), "the list ran"
    # the unfiltered first page walks the list's own index from its newest end and stops at the page's LIMIT
    newest = "SCAN payments USING INDEX payments_by_created"
    walks = [sql for sql, plan in plans.items() if plan == [newest]]
    assert all(" WHERE " not in sql and re.search(r"LIMIT \d+$", sql) for sql in walks), walks
    assert {sql: found for sql, plan in plans.items() if (found := _scans(sql, plan)) and sql not in walks} == {}
    both = [plan for sql, plan in plans.items() if "WHERE msn = ? AND state = ?" in sql or
            re.search(r"WHERE msn = '\d+' AND state = 'CREATED'", sql)]
    assert both and all("payments_by_msn_state_created (msn=? AND state=?" in plan[0] for plan in both), both
