"""One batch in flight at a time, and standby writers for a stuck one, on PostgreSQL (adapters/postgres/writers.py)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest

from kasse.adapters.postgres.connection import libpq_url
from kasse.adapters.postgres.database import PostgresDatabase
from kasse.adapters.sql.unit_of_work import SqlUnitOfWork
from tests.harness import TEST_DATABASE_URL, schema_url

pytestmark = pytest.mark.postgres  # skipped unless KASSE_TEST_DATABASE_URL is set (tests/conftest.py)


@pytest.fixture
def db() -> Iterator[PostgresDatabase]:
    if TEST_DATABASE_URL is None:
        pytest.skip("KASSE_TEST_DATABASE_URL is not set")
    database = PostgresDatabase(schema_url(f"writers-{uuid.uuid4().hex}")).open()  # the writers kasse serves with
    try:
        yield database
    finally:
        database.close()


def put(key: str, value: str) -> Callable[[SqlUnitOfWork], int]:
    def job(uow: SqlUnitOfWork) -> int:
        return uow.conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE"
                                " SET value = excluded.value", (key, value)).rowcount
    return job


def test_a_batch_waiting_on_another_transactions_row_lock_holds_up_no_other_write(db: PostgresDatabase) -> None:
    db.write_sync(put("locked", "before"))
    with psycopg.connect(libpq_url(db.dsn)) as other:  # another process's transaction, holding the row
        other.execute("SELECT 1 FROM settings WHERE key = 'locked' FOR UPDATE")
        waiting = db.submit(put("locked", "after"))
        time.sleep(0.2)
        assert not waiting.done()  # the first writer's batch waits for the lock
        started = time.monotonic()
        assert db.submit(put("free", "x")).result(5) == 1  # a standby writer commits it meanwhile
        assert time.monotonic() - started < 2
        assert not waiting.done()
    assert waiting.result(10) == 1  # the other transaction ended: the waiting batch goes on
    assert db.read(lambda uow: uow.conn.execute("SELECT value FROM settings WHERE key = 'locked'").fetchone()) == (
        "after",)


def test_writes_arriving_while_a_batch_commits_go_together_in_the_next(db: PostgresDatabase) -> None:
    """8 callers write in a closed loop: their jobs wait for the batch in flight and go in the next one together,
    instead of an idle writer taking each the moment it arrives (a transaction, a COMMIT and a WAL flush each)."""
    batches, jobs = db.batches, db.jobs

    def write(i: int) -> None:
        for n in range(25):
            db.write_sync(put(f"k{i}-{n}", "v"))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    per_batch = (db.jobs - jobs) / (db.batches - batches)
    assert per_batch >= 3, f"{per_batch:.1f} jobs per batch"  # 2.2 when idle writers took jobs one by one
