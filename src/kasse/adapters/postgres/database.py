"""PostgreSQL with the same interface as `SqliteDatabase`: write, write_sync, submit, read, on_commit.

Writes use group commit, as on SQLite: a few writer threads per process, each on its own connection,
take the queued write jobs and run them in ONE transaction (READ COMMITTED), in psycopg's pipeline mode
(`_commit_batch`), so N concurrent requests cost one COMMIT (one WAL flush) instead of N. One writer takes
all that is queued, one batch at a time; the others stand by for a batch that is stuck (on another process's
row lock, say) and take the jobs queued behind it meanwhile. A caller's future resolves only
after the COMMIT that holds its job (`synchronous_commit` stays on): an acknowledged write is durable,
and when COMMIT fails no job of the batch is acknowledged (each is retried alone or gets the error).

Jobs of many threads and processes still run at once, so a job can lose a race: a version check that
fails (`ConcurrentUpdateError`), a primary or unique key another transaction took first (an idempotency
key, a payment reference), a serialization failure or a deadlock. A race noticed in Python rolls that
job back alone (its neighbours keep their work); one the server refuses aborts the batch, whose jobs then
all run again alone, each in its own transaction from the start (bounded). On the retry it reads what
the winner committed and answers as it would have in one process (the stored idempotent response, a
reference conflict, the new payment state).

A transaction that wrote something another process may be waiting for (`SHARED_TOPICS`: webhook
deliveries, wallet requests, the clock, faults) ends with one `NOTIFY kasse_commits, '<topics>'` (one per
batch, not per job); one listening connection per process turns the notifications of other processes into
`on_commit` calls with those topics (its own commits call them at once). A pure create notifies nobody, so
N processes under create load do not wake each other's listeners and loops.
Reads use one autocommit connection per thread, like SQLite's; `query` runs them on a small pool of reader
threads, so a read's round trip never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import psycopg
import sqlalchemy as sa
from psycopg import errors
from psycopg_pool import ConnectionPool

from kasse.adapters.postgres.connection import PgConnection, libpq_url, sqlalchemy_url
from kasse.adapters.postgres.readers import Readers
from kasse.adapters.postgres.writers import Writers
from kasse.adapters.sql.connection import ConcurrentUpdateError
from kasse.adapters.sql.migrate import ensure_current
from kasse.adapters.sql.unit_of_work import SqlUnitOfWork
from kasse.adapters.sql.write_jobs import Outcome, QueuedWrites, WriteJob, deliver, reads_ahead
from kasse.domain.merchant import Merchant
from kasse.services.topics import CLOCK, DELIVERIES, FAULTS, WALLET

T = TypeVar("T")
log = logging.getLogger(__name__)

CHANNEL = "kasse_commits"
MIGRATION_LOCK = 7_311_000_001  # pg_advisory_lock key: one process migrates, the others wait and re-check
MAX_ATTEMPTS = 12
READERS = 4  # threads (each with its connection) that run `query` reads off the event loop
# what other processes' loops wait for; payments and events wake only this process (docs/deployment.md)
SHARED_TOPICS = frozenset({DELIVERIES, WALLET, CLOCK, FAULTS})
RETRYABLE: tuple[type[BaseException], ...] = (
    ConcurrentUpdateError,
    errors.UniqueViolation,
    errors.SerializationFailure,
    errors.DeadlockDetected,
    errors.LockNotAvailable,
)
class PostgresDatabase(QueuedWrites):
    def __init__(self, url: str, *, pool_size: int = 8, writers: int = 2, migrate: bool = True,
                 listen: bool = True) -> None:
        self.dsn = libpq_url(url)
        self.pool_size = pool_size
        self.writers = writers
        self.migrate = migrate
        self.listen = listen
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._readers: list[psycopg.Connection[Any]] = []
        self._readers_lock = threading.Lock()
        self._listeners: list[Callable[[frozenset[str]], None]] = []
        self._merchants: dict[str, Merchant] = {}  # stored sales units never change (SqlMerchants)
        self._reading: Readers | None = None
        self._listener: threading.Thread | None = None
        self._listen_conn: psycopg.Connection[Any] | None = None
        self._closing = threading.Event()
        self._count_lock = threading.Lock()
        self._own_pids: set[int] = set()  # this process's writing backends: their NOTIFYs were handled at commit
        self._queue: queue.SimpleQueue[WriteJob | None] = queue.SimpleQueue()
        self._writers: Writers | None = None
        self.batches = 0  # committed transactions: a batch of jobs, or one job retried alone
        self.jobs = 0
        self.retries = 0

    @property
    def url(self) -> str:
        return sqlalchemy_url(self.dsn)

    def open(self) -> PostgresDatabase:
        self._migrate()
        self._pool = ConnectionPool(self.dsn, min_size=1, max_size=self.pool_size, open=True, name="kasse",
                                    configure=self._own)
        self._pool.wait(timeout=30)
        self._executor = ThreadPoolExecutor(self.pool_size, thread_name_prefix="kasse-pg-alone")
        self._reading = Readers(self.read, READERS)
        self._writers = Writers(self._queue, self._commit_on, self.writers)
        if self.listen:
            self._listen_conn = psycopg.connect(self.dsn, autocommit=True)
            self._listen_conn.execute(f"LISTEN {CHANNEL}")
            self._listener = threading.Thread(target=self._listen, name="kasse-pg-listen", daemon=True)
            self._listener.start()
        return self

    def upgrade(self) -> None:
        """Migrate to head without opening the pool (`kasse db upgrade`)."""
        migrate, self.migrate = self.migrate, True
        try:
            self._migrate()
        finally:
            self.migrate = migrate

    def _migrate(self) -> None:
        """Check (and when allowed, bring) the schema to head under an advisory lock: N processes migrate once."""
        with psycopg.connect(self.dsn, autocommit=True) as lock:
            lock.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
            engine = sa.create_engine(self.url, poolclass=sa.NullPool)
            try:
                ensure_current(engine, migrate=self.migrate)
            finally:
                engine.dispose()
                lock.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))

    def close(self) -> None:
        self._closing.set()
        if self._writers is not None:
            self._writers.close()
            self._writers = None
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        if self._reading is not None:
            self._reading.close()
            self._reading = None
        if self._listener is not None and self._pool is not None:
            with self._pool.connection() as conn:
                conn.execute(f"NOTIFY {CHANNEL}")  # wake the listener so it sees `_closing` now
        if self._listener is not None:
            self._listener.join(timeout=5)
            self._listener = None
        if self._listen_conn is not None:
            self._listen_conn.close()
            self._listen_conn = None
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def on_commit(self, listener: Callable[[frozenset[str]], None]) -> None:
        """Call `listener` with the topics of commits: all of this process's, other processes' shared ones."""
        self._listeners.append(listener)

    def _check_open(self) -> None:
        assert self._writers is not None, "database is not open"

    def read(self, fn: Callable[[SqlUnitOfWork], T]) -> T:
        uow: SqlUnitOfWork | None = getattr(self._local, "uow", None)
        if uow is None or self._local.raw.closed or self._local.raw.broken:  # new thread, or the server went away
            conn = psycopg.connect(self.dsn, autocommit=True)
            self._local.raw = conn
            with self._readers_lock:
                self._readers.append(conn)
            uow = SqlUnitOfWork(PgConnection(conn), self._merchants)
            self._local.uow = uow
        return fn(uow)

    async def query(self, fn: Callable[[SqlUnitOfWork], T]) -> T:
        """Read on a reader thread (adapters/postgres/readers.py): the event loop goes on meanwhile."""
        assert self._reading is not None, "database is not open"
        return await self._reading.query(fn)

    async def write_apart(self, fn: Callable[[SqlUnitOfWork], T]) -> T:
        """Run `fn` in a transaction of its own, outside the writers' batches: the request log's COPY (which
        pipeline mode cannot carry) and its advisory lock then hold up no payment's COMMIT."""
        assert self._executor is not None, "database is not open"
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._run, fn)

    def _commit_on(self, conn: psycopg.Connection[Any] | None, batch: list[WriteJob]) -> psycopg.Connection[Any] | None:
        """Commit `batch` on `conn`, connected first if it is not (`writers.Commit`)."""
        if conn is None or conn.closed or conn.broken:
            try:
                conn = self._connect_writer()
            except psycopg.Error as exc:
                log.exception("writer could not connect")
                deliver([(job, None, exc) for job in batch])
                return None
        self._commit_batch(conn, batch)
        return conn

    def _connect_writer(self) -> psycopg.Connection[Any]:
        conn = psycopg.connect(self.dsn, autocommit=True)  # `transaction()` sends BEGIN itself
        self._own(conn)
        return conn

    def _commit_batch(self, conn: psycopg.Connection[Any], batch: list[WriteJob]) -> None:
        """One transaction for the batch; outcomes go out only after COMMIT succeeds.

        Pipeline mode (`PgConnection`): the jobs' first reads go out together, for the batch (`reads_ahead`),
        and a job's writes wait to travel with the next read or the COMMIT, so a batch of creates costs
        about two round trips, its reads and its COMMIT. A job that fails in Python is
        undone alone (nothing of it was sent, or back to the savepoint opened when it had to send). A
        statement the server refuses (a race lost to another process: a key or reference taken) aborts the
        batch: every job of it then runs again alone, where the loser reads what the winner committed.
        """
        outcomes: list[Outcome] = []
        lost: list[WriteJob] = []  # to run again alone, in a transaction of its own
        topics: frozenset[str] = frozenset()
        try:
            with conn.pipeline() as pipe:
                pconn = PgConnection(conn, pipe)
                uow = self._writing.uow = SqlUnitOfWork(pconn, self._merchants)
                conn.execute("BEGIN")
                uow.read_ahead(reads_ahead(batch))  # the jobs' first reads in one round trip, not one each
                for job in batch:
                    mark = uow.mark()
                    try:
                        result = job.fn(uow)
                        pconn.end_job()
                    except psycopg.Error:
                        raise  # the server refused something: the batch's transaction is lost
                    except Exception as exc:  # in Python: a race noticed (ConcurrentUpdateError), or its own
                        uow.undo(mark)
                        if pconn.drop_job():
                            self._undo_job(conn, pipe)
                        if isinstance(exc, RETRYABLE):
                            lost.append(job)
                        else:
                            outcomes.append((job, None, exc))
                    else:
                        outcomes.append((job, result, None))
                pipe.sync()  # the last job's writes: a refusal is still the batch's, before COMMIT
                topics = uow.take_topics()
                self._broadcast(conn, topics)
                conn.execute("COMMIT")
        except Exception as exc:  # a statement, BEGIN or COMMIT failed: acknowledge nothing of the batch
            if isinstance(exc, psycopg.Error) and exc.sqlstate and not conn.broken:
                # the server refused it (a race, a deferred check): nothing is durable, so every job runs
                # again alone, and only the one at fault fails
                log.debug("batch of %d jobs refused (%s); retrying each alone", len(batch), exc.sqlstate)
                lost, outcomes = list(batch), []
            else:  # the connection went: the COMMIT may or may not have landed, so no job may be retried
                log.exception("commit of %d jobs failed", len(batch))
                lost, outcomes = [], [(job, None, exc) for job in batch]
            self._reset(conn)
        else:
            with self._count_lock:
                self.batches += 1
                self.jobs += len(outcomes)
            self._notify(topics)  # this process at once; the others through NOTIFY
        deliver(outcomes)
        for job in lost:
            with self._count_lock:
                self.retries += 1
            assert self._executor is not None
            self._executor.submit(self._retry_alone, job)

    @staticmethod
    def _undo_job(conn: psycopg.Connection[Any], pipe: psycopg.Pipeline) -> None:
        """Roll the transaction back to the job's savepoint."""
        conn.execute("ROLLBACK TO SAVEPOINT job")
        conn.execute("RELEASE SAVEPOINT job")
        pipe.sync()

    @staticmethod
    def _reset(conn: psycopg.Connection[Any]) -> None:
        """Leave no transaction open on a writer connection after a failed batch (or drop the connection)."""
        if conn.closed or conn.broken:
            return
        try:
            if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                conn.execute("ROLLBACK")
        except psycopg.Error:
            conn.close()  # the writer opens a new one for its next batch

    def _retry_alone(self, job: WriteJob) -> None:
        try:
            outcome: Outcome = (job, self._run(job.fn, first_attempt=2), None)
        except BaseException as exc:
            outcome = (job, None, exc)
        deliver([outcome])

    def _run(self, fn: Callable[[SqlUnitOfWork], T], *, first_attempt: int = 1) -> T:
        """Run one job in a transaction; run it again from scratch when it lost a race to another one."""
        assert self._pool is not None
        for attempt in range(first_attempt, MAX_ATTEMPTS + 1):
            try:
                with self._pool.connection() as raw, raw.transaction():
                    uow = self._writing.uow = SqlUnitOfWork(PgConnection(raw), self._merchants)
                    result = fn(uow)
                    topics = uow.take_topics()
                    self._broadcast(raw, topics)
            except RETRYABLE as exc:
                if attempt == MAX_ATTEMPTS:
                    raise
                with self._count_lock:
                    self.retries += 1
                log.debug("job lost a race (%s), attempt %d", type(exc).__name__, attempt)
                time.sleep(random.uniform(0, 0.002 * attempt))
                continue
            with self._count_lock:
                self.batches += 1
                self.jobs += 1
            self._notify(topics)  # this process at once; the others through NOTIFY
            return result
        raise AssertionError("unreachable")

    def _own(self, conn: psycopg.Connection[Any]) -> None:
        self._own_pids.add(conn.info.backend_pid)

    def _broadcast(self, conn: psycopg.Connection[Any], topics: frozenset[str]) -> None:
        """Tell the other processes, inside the transaction, what it wrote that their loops may wait for."""
        shared = topics & SHARED_TOPICS
        if self.listen and shared:
            conn.execute(f"NOTIFY {CHANNEL}, '{','.join(sorted(shared))}'")  # our own topic names: no quoting

    def _notify(self, topics: frozenset[str] | set[str]) -> None:
        """Call the listeners with what was committed (they only set events, so at once is cheap).

        Topics keep this quiet under load: a create wakes nobody, and a loop woken by a burst of commits
        of its topic looks once (`CommitSignal` sets an event that is already set only once).
        """
        if topics:
            committed = frozenset(topics)
            for listener in self._listeners:
                listener(committed)

    def _listen(self) -> None:
        assert self._listen_conn is not None
        conn = self._listen_conn
        while not self._closing.is_set():
            try:
                # another process's commit wakes this process's loops and streams; our own commits did already
                got = list(conn.notifies(timeout=1.0, stop_after=1))
                if not self._closing.is_set():
                    got += conn.notifies(timeout=0)  # drain what else is queued already: one wake-up for all
                    self._notify({t for n in got if n.pid not in self._own_pids for t in n.payload.split(",") if t})
            except psycopg.Error:
                if self._closing.is_set():
                    return
                log.exception("LISTEN connection failed; reconnecting")
                time.sleep(0.5)
                try:
                    conn = psycopg.connect(self.dsn, autocommit=True)
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._listen_conn = conn
                except psycopg.Error:
                    continue
