"""PostgreSQL with the same interface as `SqliteDatabase`: write, write_sync, submit, read, on_commit.

Every write job runs on a worker thread in its own transaction (READ COMMITTED) on a pooled connection.
Where SQLite serialises jobs on one writer, here jobs of many threads and processes run at once, so a
job that loses a race is rolled back and run again from the start (bounded): a version check that
fails (`ConcurrentUpdateError`), a primary or unique key another transaction took first (an idempotency
key, a payment reference), a serialization failure or a deadlock. On the retry the job reads what the
winner committed and answers as it would have in one process (the stored idempotent response, a
reference conflict, the new payment state).

Each transaction ends with `NOTIFY kasse_commits`; one listening connection per process turns the
notifications of other processes into `on_commit` calls (its own commits call them at once), which wake
the delivery loop and the live event streams everywhere. Reads use one autocommit connection per thread, like SQLite's.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import psycopg
import sqlalchemy as sa
from psycopg import errors
from psycopg_pool import ConnectionPool

from kasse.adapters.postgres.connection import PgConnection, libpq_url, sqlalchemy_url
from kasse.adapters.sql.migrate import ensure_current
from kasse.adapters.sql.repositories import ConcurrentUpdateError, SqlUnitOfWork

T = TypeVar("T")
log = logging.getLogger(__name__)

CHANNEL = "kasse_commits"
MIGRATION_LOCK = 7_311_000_001  # pg_advisory_lock key: one process migrates, the others wait and re-check
MAX_ATTEMPTS = 12
RETRYABLE: tuple[type[BaseException], ...] = (
    ConcurrentUpdateError,
    errors.UniqueViolation,
    errors.SerializationFailure,
    errors.DeadlockDetected,
    errors.LockNotAvailable,
)


class PostgresDatabase:
    def __init__(self, url: str, *, pool_size: int = 8, migrate: bool = True, listen: bool = True) -> None:
        self.dsn = libpq_url(url)
        self.pool_size = pool_size
        self.migrate = migrate
        self.listen = listen
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._readers: list[psycopg.Connection[Any]] = []
        self._readers_lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []
        self._listener: threading.Thread | None = None
        self._listen_conn: psycopg.Connection[Any] | None = None
        self._closing = threading.Event()
        self._count_lock = threading.Lock()
        self._own_pids: set[int] = set()  # backends of this process's pool: their NOTIFYs were handled at commit
        self.batches = 0  # committed transactions (one job each: PostgreSQL has no group commit to share)
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
        self._executor = ThreadPoolExecutor(self.pool_size, thread_name_prefix="kasse-pg-writer")
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
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
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

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every commit of any process on this database (to wake workers)."""
        self._listeners.append(listener)

    def submit(self, fn: Callable[[SqlUnitOfWork], T]) -> Future[T]:
        assert self._executor is not None, "database is not open"
        return self._executor.submit(self._run, fn)

    async def write(self, fn: Callable[[SqlUnitOfWork], T]) -> T:
        return await asyncio.wrap_future(self.submit(fn))

    def write_sync(self, fn: Callable[[SqlUnitOfWork], T]) -> T:
        return self.submit(fn).result()

    def read(self, fn: Callable[[SqlUnitOfWork], T]) -> T:
        uow: SqlUnitOfWork | None = getattr(self._local, "uow", None)
        if uow is None or self._local.raw.closed or self._local.raw.broken:  # new thread, or the server went away
            conn = psycopg.connect(self.dsn, autocommit=True)
            self._local.raw = conn
            with self._readers_lock:
                self._readers.append(conn)
            uow = SqlUnitOfWork(PgConnection(conn))
            self._local.uow = uow
        return fn(uow)

    def _run(self, fn: Callable[[SqlUnitOfWork], T]) -> T:
        """Run one job in a transaction; run it again from scratch when it lost a race to another one."""
        assert self._pool is not None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with self._pool.connection() as raw, raw.transaction():
                    result = fn(SqlUnitOfWork(PgConnection(raw)))
                    if self.listen:
                        raw.execute(f"NOTIFY {CHANNEL}")
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
            self._notify()  # this process at once; the others through NOTIFY
            return result
        raise AssertionError("unreachable")

    def _own(self, conn: psycopg.Connection[Any]) -> None:
        self._own_pids.add(conn.info.backend_pid)

    def _notify(self) -> None:
        for listener in self._listeners:
            listener()

    def _listen(self) -> None:
        assert self._listen_conn is not None
        conn = self._listen_conn
        while not self._closing.is_set():
            try:
                # another process's commit wakes this process's loops and streams; our own commits did already
                foreign = any(n.pid not in self._own_pids for n in conn.notifies(timeout=1.0, stop_after=1))
                if not self._closing.is_set():
                    # drain what else is queued already: one wake-up covers them all
                    foreign |= any(n.pid not in self._own_pids for n in conn.notifies(timeout=0))
                    if foreign:
                        self._notify()
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
