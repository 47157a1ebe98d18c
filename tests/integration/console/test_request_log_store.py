"""The request log's store: listing by sales unit, payment, status class and id cursor; pruning by count and age.

Runs on SQLite, and on PostgreSQL with KASSE_TEST_DATABASE_URL (the `kasse` fixture's store).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kasse.adapters.sqlite.database import SqliteDatabase
from kasse.services.read_models import RequestRecord
from tests.harness import TEST_DATABASE_URL, InProcessKasse, in_process

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def kasse(tmp_path: Path) -> Iterator[InProcessKasse]:
    """A kasse that records nothing itself, so each test sees only the rows it stores."""
    yield from in_process(tmp_path, request_log=False)


def a_request(n: int, *, msn: str = "111111", reference: str | None = "r-1", status: int = 200,
              at: datetime = T0) -> RequestRecord:
    return RequestRecord(id=0, at=at + timedelta(seconds=n), method="GET", path=f"/epayment/v1/payments/{reference}",
                         query="", status=status, duration_ms=1.5, msn=msn, reference=reference,
                         idempotency_key=f"k-{n}", request_headers={"accept": "application/json"},
                         request_body="", response_body=f'{{"n": {n}}}')


def stored(kasse: InProcessKasse, records: list[RequestRecord]) -> None:
    kasse.container.db.write_sync(lambda uow: uow.request_log.append(records))


def search(kasse: InProcessKasse, **filters: object) -> list[RequestRecord]:
    return list(kasse.container.db.read(lambda uow: uow.request_log.search(**filters)))


def test_records_round_trip_with_their_ids_ascending(kasse: InProcessKasse) -> None:
    stored(kasse, [a_request(1), a_request(2)])

    found = search(kasse, msn="111111")

    assert [r.idempotency_key for r in found] == ["k-1", "k-2"]
    assert found[0].id < found[1].id
    assert found[1].at == T0 + timedelta(seconds=2) and found[1].request_headers == {"accept": "application/json"}
    assert found[1].response_body == '{"n": 2}' and found[1].duration_ms == 1.5


def test_without_a_cursor_the_newest_come_last_and_with_one_those_after_it(kasse: InProcessKasse) -> None:
    stored(kasse, [a_request(n) for n in range(1, 8)])

    newest = search(kasse, limit=3)
    after = search(kasse, after=newest[0].id - 2, limit=2)
    before = search(kasse, before=newest[0].id, limit=2)

    assert [r.idempotency_key for r in newest] == ["k-5", "k-6", "k-7"]
    assert [r.idempotency_key for r in after] == ["k-4", "k-5"]
    assert [r.idempotency_key for r in before] == ["k-3", "k-4"]


@pytest.mark.parametrize(("filters", "keys"), [
    ({"msn": "222222"}, ["k-3"]),
    ({"reference": "r-2"}, ["k-2"]),
    ({"msn": "111111", "reference": "r-1"}, ["k-1", "k-4", "k-5"]),
    ({"status": "4xx"}, ["k-4"]),
    ({"status": "5xx"}, ["k-5"]),
    ({"status": "200"}, ["k-1", "k-2", "k-3"]),
])
def test_filters(kasse: InProcessKasse, filters: dict[str, str], keys: list[str]) -> None:
    stored(kasse, [a_request(1), a_request(2, reference="r-2"), a_request(3, msn="222222"),
                   a_request(4, status=404), a_request(5, status=503)])

    assert [r.idempotency_key for r in search(kasse, **filters)] == keys


def test_pruning_keeps_the_newest_by_count(kasse: InProcessKasse) -> None:
    stored(kasse, [a_request(n) for n in range(1, 11)])

    kasse.container.db.write_sync(lambda uow: uow.request_log.prune(keep=3, recorded_before=T0))

    assert [r.idempotency_key for r in search(kasse)] == ["k-8", "k-9", "k-10"]


def test_pruning_drops_what_is_older_than_the_cut(kasse: InProcessKasse) -> None:
    stored(kasse, [a_request(n) for n in range(1, 6)])

    kasse.container.db.write_sync(
        lambda uow: uow.request_log.prune(keep=100, recorded_before=T0 + timedelta(seconds=3)))

    assert [r.idempotency_key for r in search(kasse)] == ["k-3", "k-4", "k-5"]


def test_a_large_batch_is_stored_whole(kasse: InProcessKasse) -> None:
    stored(kasse, [a_request(n) for n in range(450)])

    assert len(search(kasse, limit=1000)) == 450


def stored_apart(kasse: InProcessKasse, records: list[RequestRecord]) -> None:
    """As the recorder stores a batch: beside the payments' group commit (a COPY on PostgreSQL)."""
    asyncio.run(kasse.container.db.write_apart(lambda uow: uow.request_log.append(records)))


def test_a_batch_stored_apart_keeps_every_character_and_its_order(kasse: InProcessKasse) -> None:
    awkward = 'tab\there\nnew line \\ backslash \\. \\N æøå 💳 "quoted"'
    stored_apart(kasse, [a_request(n) for n in range(300)] + [
        replace(a_request(300), path="/epayment/v1/payments/a\x00b", request_body=awkward, response_body="\\.")])

    found = search(kasse, limit=1000)

    assert [r.idempotency_key for r in found] == [f"k-{n}" for n in range(301)]
    assert found[-1].request_body == awkward and found[-1].response_body == "\\."
    assert found[-1].path == "/epayment/v1/payments/a\ufffdb"  # PostgreSQL stores no NUL: one request, not the batch


def test_a_nul_in_one_request_does_not_lose_the_batch_stored_with_the_payments(kasse: InProcessKasse) -> None:
    stored(kasse, [a_request(1), replace(a_request(2), request_body="a\x00b")])

    assert [r.request_body for r in search(kasse)] == ["", "a\ufffdb"]


@pytest.mark.skipif(TEST_DATABASE_URL is not None, reason="SQLite's EXPLAIN QUERY PLAN")
@pytest.mark.parametrize(("filters", "index"), [
    ({"msn": "111111"}, "request_log_by_msn"),
    ({"msn": "111111", "after": 5}, "request_log_by_msn"),
    ({"reference": "r-1"}, "request_log_by_reference"),
    ({"msn": "111111", "reference": "r-1", "before": 9}, "request_log_by"),
    ({"after": 5}, "INTEGER PRIMARY KEY"),
])
def test_listing_walks_an_index_from_its_cursor(kasse: InProcessKasse, filters: dict[str, Any], index: str) -> None:
    plan = plans_of(kasse, lambda uow: uow.request_log.search(**filters))

    assert index in plan and "SCAN request_log" not in plan and "TEMP B-TREE" not in plan


@pytest.mark.skipif(TEST_DATABASE_URL is not None, reason="SQLite's EXPLAIN QUERY PLAN")
def test_pruning_walks_the_primary_key_from_the_oldest(kasse: InProcessKasse) -> None:
    plan = plans_of(kasse, lambda uow: uow.request_log.prune(keep=3, recorded_before=T0), write=True)

    assert "SCAN request_log" not in plan and "TEMP B-TREE" not in plan


def plans_of(kasse: InProcessKasse, fn: Any, *, write: bool = False) -> str:
    """Run `fn` with every statement traced, and return the query plans of the request log's statements."""
    db = kasse.container.db
    assert isinstance(db, SqliteDatabase)
    seen: list[str] = []
    db.trace_statements(seen.append)
    try:
        db.write_sync(fn) if write else db.read(fn)
    finally:
        db.trace_statements(None)
    statements = [s for s in seen if "request_log" in s and not s.startswith(("BEGIN", "SAVEPOINT", "RELEASE"))]
    assert statements
    explained = db.read(lambda uow: [uow.conn.execute(f"EXPLAIN QUERY PLAN {s}").fetchall() for s in statements])
    return "\n".join(str(row[-1]) for rows in explained for row in rows)
