"""The PostgreSQL adapter on its own: placeholders, URLs, migrations, the schema check, retried races."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner

from kasse.adapters.postgres.connection import (
    PgConnection,
    fold,
    is_postgres_url,
    libpq_url,
    sqlalchemy_url,
    translate,
    with_schema,
)
from kasse.adapters.postgres.database import PostgresDatabase
from kasse.adapters.sql.migrate import SchemaMismatchError, head_revision
from kasse.adapters.sql.tables import metadata
from kasse.adapters.sql.unit_of_work import SqlUnitOfWork
from kasse.adapters.sql.write_jobs import Reads
from kasse.cli import main
from kasse.domain.clock_state import ClockState
from kasse.domain.errors import DomainError
from kasse.domain.money import Currency, Money
from kasse.domain.payment import Payment, start
from kasse.domain.payment_state import Operation
from kasse.services.payments import advance, approve_payment, load
from kasse.services.ports import StoredResponse
from tests.harness import TEST_DATABASE_URL, InProcessKasse, create_body, new_reference, schema_url

postgres = pytest.mark.postgres  # skipped unless KASSE_TEST_DATABASE_URL is set (tests/conftest.py)


def test_qmark_placeholders_become_format_placeholders_and_percent_signs_are_kept() -> None:
    assert translate("SELECT a FROM t WHERE b = ? AND c LIKE 'x%' LIMIT ?") == (
        "SELECT a FROM t WHERE b = %s AND c LIKE 'x%%' LIMIT %s")


def test_urls_for_libpq_and_sqlalchemy() -> None:
    assert libpq_url("postgresql+psycopg://u@h:5432/d") == "postgresql://u@h:5432/d"
    assert libpq_url("postgres://u@h/d") == "postgresql://u@h/d"
    assert sqlalchemy_url("postgresql://u@h/d?sslmode=require") == "postgresql+psycopg://u@h/d?sslmode=require"
    assert with_schema("postgresql://u@h/d?sslmode=require", "s1") == (
        "postgresql://u@h/d?sslmode=require&options=-csearch_path%3Ds1")
    assert is_postgres_url("postgresql://h/d") and is_postgres_url("postgres://h/d")
    assert not is_postgres_url("sqlite:///x.db") and not is_postgres_url(None)


def test_a_later_write_takes_the_id_an_earlier_one_of_the_same_statement_drew() -> None:
    sql = fold(("INSERT INTO payment_events (a) VALUES (?)",
                "INSERT INTO webhook_deliveries (event_id) SELECT currval('payment_events_id_seq')",
                "INSERT INTO other_things (x) VALUES (currval('other_things_id_seq'))"))
    assert sql == ("WITH w0 AS (INSERT INTO payment_events (a) VALUES (?) RETURNING id),"
                   " w1 AS (INSERT INTO webhook_deliveries (event_id) SELECT (SELECT id FROM w0) RETURNING 1),"
                   " w2 AS (INSERT INTO other_things (x) VALUES (currval('other_things_id_seq')) RETURNING 1)"
                   " SELECT (SELECT count(*) FROM w0), (SELECT count(*) FROM w1), (SELECT count(*) FROM w2)")
    with pytest.raises(ValueError, match="only inserts"):
        fold(("INSERT INTO t (a) VALUES (?)", "UPDATE t SET a = 1"))


@pytest.fixture
def pg_url() -> Iterator[str]:
    if TEST_DATABASE_URL is None:
        pytest.skip("KASSE_TEST_DATABASE_URL is not set")
    yield schema_url(f"adapter-{uuid.uuid4().hex}")


@pytest.fixture
def pg(pg_url: str) -> Iterator[PostgresDatabase]:
    db = PostgresDatabase(pg_url).open()
    try:
        yield db
    finally:
        db.close()


@postgres
def test_the_migrations_make_exactly_the_tables_of_tables_py(pg: PostgresDatabase) -> None:
    engine = sa.create_engine(pg.url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    assert diff == []


@postgres
def test_every_column_type_round_trips(pg: PostgresDatabase) -> None:
    def write(uow: SqlUnitOfWork) -> None:
        uow.conn.execute("INSERT INTO idempotency_keys (msn, key, fingerprint, status, body, created_at)"
                         " VALUES (?,?,?,?,?,?)", ("1", "k", "f", 201, b"\x00\xffbytes", 2**60))

    pg.write_sync(write)
    row = pg.read(lambda uow: uow.conn.execute("SELECT status, body, created_at FROM idempotency_keys").fetchone())
    assert (row[0], bytes(row[1]), row[2]) == (201, b"\x00\xffbytes", 2**60)


@postgres
def test_racing_inserts_of_one_key_are_retried_into_one_row(pg: PostgresDatabase) -> None:
    """A job that loses a unique-key race runs again and then reads the winner's row, as in one process."""
    barrier = threading.Barrier(8)

    def get_or_create(uow: SqlUnitOfWork) -> str:
        row = uow.conn.execute("SELECT value FROM settings WHERE key = 'race'").fetchone()
        if row:
            return str(row[0])
        mine = uuid.uuid4().hex
        uow.conn.execute("INSERT INTO settings (key, value) VALUES ('race', ?)", (mine,))
        return mine

    results: list[str] = []

    def racer() -> None:
        barrier.wait()
        results.append(pg.write_sync(get_or_create))

    threads = [threading.Thread(target=racer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results) == 8


@postgres
def test_a_failing_job_rolls_back_alone(pg: PostgresDatabase) -> None:
    def fails(uow: SqlUnitOfWork) -> None:
        uow.conn.execute("INSERT INTO settings (key, value) VALUES ('half', 'done')")
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        pg.write_sync(fails)
    assert pg.read(lambda uow: uow.conn.execute("SELECT 1 FROM settings WHERE key = 'half'").fetchone()) is None


@postgres
def test_a_commit_in_one_process_wakes_the_listeners_of_another_with_its_topics(pg: PostgresDatabase,
                                                                                pg_url: str) -> None:
    other = PostgresDatabase(pg_url).open()
    heard: list[frozenset[str]] = []
    woke = threading.Event()
    try:
        other.on_commit(lambda topics: (heard.append(topics), woke.set()))
        pg.write_sync(lambda uow: uow.clock_state.save(ClockState(timedelta(seconds=5), None, 1)))
        assert woke.wait(5.0)
    finally:
        other.close()
    assert heard == [frozenset({"clock"})]


@postgres
def test_a_commit_of_only_payments_and_events_wakes_no_other_process(pg: PostgresDatabase, pg_url: str) -> None:
    other = PostgresDatabase(pg_url).open()
    heard: list[frozenset[str]] = []
    mine: list[frozenset[str]] = []
    pg.on_commit(mine.append)
    try:
        other.on_commit(heard.append)
        pg.write_sync(lambda uow: uow.topics.update({"payments", "events"}))
        pg.write_sync(lambda uow: uow.clock_state.save(ClockState(timedelta(seconds=5), None, 1)))
        poll_until(lambda: heard)
    finally:
        other.close()
    assert heard == [frozenset({"clock"})]  # the payments commit before it never reached the other process
    poll_until(lambda: len(mine) == 2 or set().union(*mine) >= {"payments", "events", "clock"})
    assert set().union(*mine) == {"payments", "events", "clock"}  # its own process hears every topic


def poll_until(done: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        time.sleep(0.01)


@postgres
def test_a_schema_newer_than_this_kasse_is_refused(pg_url: str) -> None:
    PostgresDatabase(pg_url).upgrade()
    with psycopg.connect(libpq_url(pg_url), autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")

    with pytest.raises(SchemaMismatchError, match="unknown"):
        PostgresDatabase(pg_url).open()
    result = CliRunner().invoke(main, ["db", "upgrade", "--database-url", pg_url])
    assert result.exit_code != 0 and "unknown to this kasse" in result.output


@postgres
def test_kasse_db_upgrade_migrates_an_empty_schema_and_production_servers_do_not(pg_url: str) -> None:
    with pytest.raises(SchemaMismatchError, match="kasse db upgrade"):
        PostgresDatabase(pg_url, migrate=False).open()

    result = CliRunner().invoke(main, ["db", "upgrade", "--database-url", pg_url])

    assert result.exit_code == 0, result.output
    assert f"schema empty -> {head_revision()}" in result.output
    PostgresDatabase(pg_url, migrate=False).open().close()


@postgres
def test_approval_racing_expiry_one_wins_and_the_other_is_retried_into_a_refusal(kasse: InProcessKasse) -> None:
    """The version check rejects the lost update; the retried loser reads the winner's state and is refused."""
    ref = new_reference("race")
    assert kasse.demo.create(create_body(ref)).status_code == 201
    c, msn = kasse.container, kasse.demo.creds.msn
    barrier = threading.Barrier(2, timeout=10)
    attempts: Counter[str] = Counter()
    outcomes: dict[str, str] = {}

    def job(name: str, act: Callable[[SqlUnitOfWork, Payment], Payment]) -> Callable[[SqlUnitOfWork], str]:
        def run(uow: SqlUnitOfWork) -> str:
            payment = load(uow, msn, ref)
            attempts[name] += 1
            if attempts[name] == 1:
                barrier.wait()  # both have read the same version before either writes
            return act(uow, payment).state.value
        return run

    def racer(name: str, act: Callable[[SqlUnitOfWork, Payment], Payment]) -> None:
        try:
            outcomes[name] = c.db.write_sync(job(name, act))
        except DomainError as exc:
            outcomes[name] = f"refused {exc.code.value}"

    threads = [
        threading.Thread(target=racer, args=("approve", lambda u, p: approve_payment(u, c.clock, c.ids, p))),
        threading.Thread(target=racer, args=("expire", lambda u, p: advance(u, c.clock, c.ids, p, Operation.EXPIRE))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(attempts.values()) == [1, 2]  # exactly one lost the race and ran again
    loser = min(attempts, key=lambda name: -attempts[name])
    assert outcomes[loser].startswith("refused")
    final = kasse.demo.get(ref).json()["state"]
    assert final == outcomes["approve" if loser == "expire" else "expire"]
    assert [e["name"] for e in kasse.demo.events(ref).json()] == ["CREATED", final]


@pytest.fixture
def one_writer(pg_url: str) -> Iterator[PostgresDatabase]:
    """One writer thread, so jobs queued while it is busy are committed together in its next batch."""
    db = PostgresDatabase(pg_url, writers=1).open()
    try:
        yield db
    finally:
        db.close()


def queued_behind_a_busy_writer(db: PostgresDatabase, jobs: list[Callable[[SqlUnitOfWork], object]],
                                reads: list[Reads | None] | None = None) -> list[Future[object]]:
    """Submit `jobs` (each naming its `reads`, if given) while the writer is stuck in a job of its own; they
    then make up its next batch."""
    started, release = threading.Event(), threading.Event()

    def blocker(uow: SqlUnitOfWork) -> None:
        started.set()
        assert release.wait(10)

    first = db.submit(blocker)
    assert started.wait(10)
    futures = [db.submit(job, reads=named) for job, named in zip(jobs, reads or [None] * len(jobs), strict=True)]
    release.set()
    first.result(10)
    return futures


def insert(key: str) -> Callable[[SqlUnitOfWork], str]:
    def job(uow: SqlUnitOfWork) -> str:
        uow.conn.execute("INSERT INTO settings (key, value) VALUES (?, 'v')", (key,))
        return key
    return job


def keys(db: PostgresDatabase) -> set[str]:
    return {row[0] for row in db.read(lambda uow: uow.conn.execute("SELECT key FROM settings").fetchall())}


@postgres
def test_a_job_that_loses_a_race_in_a_batch_is_retried_alone_and_its_neighbours_answer_as_alone(
        one_writer: PostgresDatabase) -> None:
    """The server refuses a statement of one job: the batch's transaction is lost (pipelined, a refusal cannot
    be pinned on its job before the batch's sync), so each job runs again alone; each caller gets one answer."""
    db = one_writer
    db.write_sync(insert("taken"))  # committed before the batch: the racing job's INSERT will collide with it
    attempts: Counter[str] = Counter()

    def racer(uow: SqlUnitOfWork) -> str:
        attempts["racer"] += 1
        uow.conn.execute("INSERT INTO settings (key, value) VALUES ('racer-half', 'v')")
        if attempts["racer"] == 1:
            uow.conn.execute("INSERT INTO settings (key, value) VALUES ('taken', 'v')")  # UniqueViolation
        return f"attempt {attempts['racer']}"

    batches_before = db.batches
    futures = queued_behind_a_busy_writer(db, [insert("before"), racer, insert("after")])

    assert [f.result(10) for f in futures] == ["before", "attempt 2", "after"]
    assert db.retries == 3 and attempts["racer"] == 2
    assert db.batches - batches_before == 4  # the blocker's, then the three jobs alone; the batch of three is lost
    assert keys(db) == {"taken", "before", "racer-half", "after"}  # the first attempt's half went with the batch


@postgres
def test_a_job_that_fails_in_python_is_undone_alone_and_its_neighbours_keep_their_work(
        one_writer: PostgresDatabase) -> None:
    db = one_writer

    def half_then_fails(uow: SqlUnitOfWork) -> str:
        uow.conn.execute("INSERT INTO settings (key, value) VALUES ('half', 'v')")
        raise ValueError("no")

    batches_before = db.batches
    futures = queued_behind_a_busy_writer(db, [insert("before"), half_then_fails, insert("after")])

    assert futures[0].result(10) == "before" and futures[2].result(10) == "after"
    with pytest.raises(ValueError, match="no"):
        futures[1].result(10)
    assert db.retries == 0 and db.batches - batches_before == 2  # the blocker's and the batch of three
    assert "half" not in keys(db)


@postgres
def test_a_refused_commit_acknowledges_no_job_of_the_batch(one_writer: PostgresDatabase) -> None:
    """A deferred check fails at COMMIT: no job is answered from the failed batch; each runs again alone."""
    db = one_writer
    db.write_sync(lambda uow: uow.conn.execute(
        "CREATE TABLE h1_child (parent TEXT REFERENCES settings (key) DEFERRABLE INITIALLY DEFERRED)"))
    runs: Counter[str] = Counter()

    def counted(key: str, sql: str) -> Callable[[SqlUnitOfWork], str]:
        def job(uow: SqlUnitOfWork) -> str:
            runs[key] += 1
            uow.conn.execute(sql)
            return f"{key} run {runs[key]}"
        return job

    futures = queued_behind_a_busy_writer(db, [
        counted("good", "INSERT INTO settings (key, value) VALUES ('good', 'v')"),
        counted("orphan", "INSERT INTO h1_child (parent) VALUES ('no such key')"),  # fails only at COMMIT
        counted("also-good", "INSERT INTO settings (key, value) VALUES ('also-good', 'v')"),
    ])

    # had the batch answered before its COMMIT, the callers would hold the results of the first runs
    assert futures[0].result(10) == "good run 2" and futures[2].result(10) == "also-good run 2"
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        futures[1].result(10)
    assert keys(db) == {"good", "also-good"}
    assert db.read(lambda uow: uow.conn.execute("SELECT count(*) FROM h1_child").fetchone())[0] == 0


@postgres
def test_a_jobs_writes_go_out_as_one_statement_and_each_delivery_names_its_own_event(
        one_writer: PostgresDatabase) -> None:
    """A create's inserts are folded into one statement (adapters/postgres/connection.py): the outbox rows
    still take the id of the event inserted just before them, several in one job and several jobs in one
    batch, and the deliveries they queued still wake the delivery loop."""
    db = one_writer
    msn, now = "900001", datetime.now(UTC)

    def subscribe(uow: SqlUnitOfWork) -> None:
        uow.conn.execute("INSERT INTO webhooks (id, msn, url, secret, events, created_at) VALUES (?,?,?,?,?,?)",
                         ("hook-1", msn, "https://127.0.0.1/hook", "s", "[]", 0))
        uow.conn.execute("INSERT INTO webhook_subscriptions (webhook_id, event_type, msn) VALUES (?,?,?)",
                         ("hook-1", "epayments.payment.created.v1", msn))

    db.write_sync(subscribe)
    heard: list[frozenset[str]] = []
    db.on_commit(heard.append)

    def creates(*references: str) -> Callable[[SqlUnitOfWork], int]:
        def job(uow: SqlUnitOfWork) -> int:
            for ref in references:
                payment, event = start(msn=msn, reference=ref, amount=Money(100, Currency.NOK), at=now,
                                       psp_reference=f"psp-{ref}", expires_at=now + timedelta(minutes=5),
                                       idempotency_key=ref, details={})
                uow.payments.add(payment, None)
                uow.events.append(event)
                uow.outbox.enqueue(event)
            return len(references)
        return job

    futures = queued_behind_a_busy_writer(db, [creates("fold-a1", "fold-a2"), creates("fold-b1")])
    assert [f.result(10) for f in futures] == [2, 1]
    found = db.read(lambda uow: uow.conn.execute(
        "SELECT d.reference, e.reference, e.name FROM webhook_deliveries AS d"
        " JOIN payment_events AS e ON e.id = d.event_id ORDER BY d.reference").fetchall())
    assert [tuple(row) for row in found] == [("fold-a1", "fold-a1", "CREATED"), ("fold-a2", "fold-a2", "CREATED"),
                                             ("fold-b1", "fold-b1", "CREATED")]
    poll_until(lambda: any("deliveries" in topics for topics in heard))
    assert any("deliveries" in topics for topics in heard)


@postgres
def test_a_payment_named_ahead_is_read_with_the_idempotency_key_in_one_statement(
        pg: PostgresDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    """write_once's job names its payment, then reads its key: pipelined, one statement answers both, and
    each part reads as its own repository would, found or not."""
    msn, now = "900002", datetime.now(UTC)
    payment, _ = start(msn=msn, reference="ahead-1", amount=Money(100, Currency.NOK), at=now, psp_reference="psp-a",
                       expires_at=now + timedelta(minutes=5), idempotency_key="key-1", details={})

    def store(uow: SqlUnitOfWork) -> None:
        uow.payments.add(payment, None)
        uow.idempotency.put(msn, "key-1", StoredResponse("f" * 64, 201, b'{"reference":"ahead-1"}'), now)

    sent: list[str] = []
    execute = PgConnection.execute
    monkeypatch.setattr(PgConnection, "execute", lambda self, sql, params=(): (sent.append(sql),
                                                                               execute(self, sql, params))[1])

    def read(reference: str, key: str) -> Callable[[SqlUnitOfWork], tuple[object, object, list[str]]]:
        def job(uow: SqlUnitOfWork) -> tuple[object, object, list[str]]:
            sent.clear()
            uow.payments.expect(msn, reference)
            stored = uow.idempotency.get(msn, key)
            found = uow.payments.get(msn, reference)
            return stored, found, [sql for sql in sent if sql.startswith("SELECT")]
        return job

    nothing, none, sent = pg.write_sync(read("ahead-1", "key-1"))
    assert (nothing, none) == (None, None) and len(sent) == 1 and "LEFT JOIN idempotency_keys" in sent[0]
    pg.write_sync(store)
    stored, found, sent = pg.write_sync(read("ahead-1", "key-1"))
    assert stored == StoredResponse("f" * 64, 201, b'{"reference":"ahead-1"}') and found == payment and len(sent) == 1
    stored, found, _ = pg.write_sync(read("ahead-1", "other-key"))
    assert stored is None and found == payment
    stored, found, _ = pg.write_sync(read("no-such-payment", "key-1"))
    assert stored is not None and found is None
