"""A batch's first reads go out together before its first job runs, and each job still reads what it would alone.

`PostgresDatabase._commit_batch` sends the payment-and-key read of every job that names one
(`write_jobs.reads_ahead`) in one round trip; these tests hold a writer busy so that jobs queued meanwhile
make up one batch, and look at which statements went out when.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kasse.adapters.postgres.connection import PgConnection
from kasse.adapters.postgres.database import PostgresDatabase
from kasse.adapters.sql.unit_of_work import SqlUnitOfWork
from kasse.adapters.sql.write_jobs import Reads
from kasse.domain.errors import UnstorableTextError
from kasse.domain.money import Currency, Money
from kasse.domain.payment import start
from kasse.services.ports import StoredResponse
from tests.harness import TEST_DATABASE_URL, schema_url
from tests.integration.scale.test_postgres_database import queued_behind_a_busy_writer

pytestmark = pytest.mark.postgres

MSN = "900003"
NOW = datetime.now(UTC)
Seen = tuple[StoredResponse | None, bool]  # the key's stored answer, whether the payment was found


@pytest.fixture
def db() -> Iterator[PostgresDatabase]:
    if TEST_DATABASE_URL is None:
        pytest.skip("KASSE_TEST_DATABASE_URL is not set")
    database = PostgresDatabase(schema_url(f"ahead-{uuid.uuid4().hex}"), writers=1).open()
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the writer sends through PgConnection.execute, and `job <n>` where a job started."""
    log: list[str] = []
    execute = PgConnection.execute

    def logged(self: PgConnection, sql: str, params: Sequence[Any] = ()) -> Any:
        log.append(sql)
        return execute(self, sql, params)

    monkeypatch.setattr(PgConnection, "execute", logged)
    return log


def answer(reference: str) -> StoredResponse:
    return StoredResponse("f" * 64, 201, f'{{"reference":"{reference}"}}'.encode())


def like_a_create(n: int, reference: str, key: str, log: list[str]) -> Callable[[SqlUnitOfWork], Seen]:
    """What write_once's job does: name the payment, read the key, read the payment, store both if new."""
    def job(uow: SqlUnitOfWork) -> Seen:
        log.append(f"job {n}")
        uow.payments.expect(MSN, reference)
        stored = uow.idempotency.get(MSN, key)
        found = uow.payments.get(MSN, reference) is not None
        if stored is None and not found:
            payment, _ = start(msn=MSN, reference=reference, amount=Money(100, Currency.NOK), at=NOW,
                               psp_reference=f"psp-{reference}", expires_at=NOW + timedelta(minutes=5),
                               idempotency_key=key, details={})
            uow.payments.add(payment, None)
            uow.idempotency.put(MSN, key, answer(reference), NOW)
        return stored, found
    return job


def one_batch(db: PostgresDatabase, jobs: list[tuple[Callable[[SqlUnitOfWork], object], Reads | None]],
              log: list[str]) -> list[object]:
    """Run `jobs` as one batch (queued while the one writer is held); each job's result, or what it raised."""
    log.clear()  # what the test stored before
    batches = db.batches
    futures = queued_behind_a_busy_writer(db, [fn for fn, _ in jobs], [reads for _, reads in jobs])
    results = [f.exception(10) or f.result() for f in futures]
    assert db.batches - batches == 2  # the blocker's, then all of `jobs` together
    return results


def reads(log: list[str]) -> list[str]:
    """The log with each read shown as `read`, the rest (BEGIN, SAVEPOINT ...) left out."""
    return [e if e.startswith("job") else "read" for e in log if e.startswith(("job", "SELECT"))]


def test_every_jobs_first_read_goes_out_before_the_first_job_runs(db: PostgresDatabase, sent: list[str]) -> None:
    db.write_sync(like_a_create(0, "stored-1", "key-stored", []))  # a key with its payment, stored before
    results = one_batch(db, [
        (like_a_create(1, "new-1", "key-1", sent), (MSN, "new-1", "key-1")),
        (like_a_create(2, "stored-1", "key-stored", sent), (MSN, "stored-1", "key-stored")),
        (like_a_create(3, "new-3", "key-3", sent), (MSN, "new-3", "key-3")),
    ], sent)

    assert reads(sent) == ["read", "job 1", "job 2", "job 3"]  # one statement and round trip, not three
    assert results == [(None, False), (answer("stored-1"), True), (None, False)]  # each as it would alone
    assert db.read(lambda uow: uow.payments.get(MSN, "new-3")) is not None


def test_a_job_naming_what_an_earlier_job_of_the_batch_wrote_reads_it_after_that_job(
        db: PostgresDatabase, sent: list[str]) -> None:
    """Read ahead, the second job would miss the first one's key and payment, and both would insert them."""
    results = one_batch(db, [
        (like_a_create(1, "twice", "key-twice", sent), (MSN, "twice", "key-twice")),
        (like_a_create(2, "twice", "key-twice", sent), (MSN, "twice", "key-twice")),  # a duplicate request
        (like_a_create(3, "after", "key-after", sent), (MSN, "after", "key-after")),
    ], sent)

    assert reads(sent) == ["read", "job 1", "job 2", "read", "job 3", "read"]
    assert results == [(None, False), (answer("twice"), True), (None, False)]
    assert db.retries == 0  # no batch was refused and run again: the duplicate read the first one's write


def test_jobs_after_one_that_names_nothing_read_in_their_own_turn(db: PostgresDatabase, sent: list[str]) -> None:
    def stores_a_key(uow: SqlUnitOfWork) -> None:
        sent.append("job 2")
        uow.idempotency.put(MSN, "key-unnamed", answer("unnamed"), NOW)

    results = one_batch(db, [
        (like_a_create(1, "first", "key-first", sent), (MSN, "first", "key-first")),
        (stores_a_key, None),
        (like_a_create(3, "third", "key-unnamed", sent), (MSN, "third", "key-unnamed")),
    ], sent)

    assert reads(sent) == ["read", "job 1", "job 2", "job 3", "read"]
    assert results[2] == (answer("unnamed"), False)  # it saw the key the job before it stored


def test_a_job_that_fails_in_python_leaves_the_jobs_after_it_reading_right(
        db: PostgresDatabase, sent: list[str]) -> None:
    def fails(uow: SqlUnitOfWork) -> None:
        sent.append("job 2")
        uow.payments.expect(MSN, "failing")
        uow.idempotency.put(MSN, "key-failing", answer("failing"), NOW)
        uow.conn.execute("SELECT 1")  # sends its write: undone back to its savepoint
        raise ValueError("no")

    db.write_sync(like_a_create(0, "stored-3", "key-stored-3", []))
    one, failed, third = one_batch(db, [
        (like_a_create(1, "one", "key-one", sent), (MSN, "one", "key-one")),
        (fails, (MSN, "failing", "key-failing")),
        (like_a_create(3, "stored-3", "key-stored-3", sent), (MSN, "stored-3", "key-stored-3")),
    ], sent)

    assert one == (None, False) and isinstance(failed, ValueError)
    assert third == (answer("stored-3"), True)  # read in its own turn, once the failed job was undone
    assert db.read(lambda uow: uow.idempotency.get(MSN, "key-failing")) is None


@pytest.mark.parametrize(("tag", "reference", "key", "refusal"), [
    ("nul", "with-nul", "key-\x00", UnstorableTextError),
    ("odd", "odd-\ud800", "key-odd", UnicodeEncodeError),  # a lone surrogate, which JSON's escapes can spell
], ids=["nul", "lone-surrogate"])
def test_a_job_naming_a_text_the_store_cannot_take_fails_alone(
        db: PostgresDatabase, sent: list[str], tag: str, reference: str, key: str, refusal: type[Exception]) -> None:
    """psycopg refuses such a text only as it sends: read ahead for the batch, it would fail every job of it."""
    first, odd, third = one_batch(db, [
        (like_a_create(1, f"before-{tag}", f"key-before-{tag}", sent), (MSN, f"before-{tag}", f"key-before-{tag}")),
        (like_a_create(2, reference, key, sent), (MSN, reference, key)),
        (like_a_create(3, f"after-{tag}", f"key-after-{tag}", sent), (MSN, f"after-{tag}", f"key-after-{tag}")),
    ], sent)

    assert first == (None, False) and third == (None, False)
    assert isinstance(odd, refusal)
    assert db.read(lambda uow: uow.payments.get(MSN, f"after-{tag}")) is not None
