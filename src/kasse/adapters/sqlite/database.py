"""SQLite with durable group commit: every write runs on one writer thread.

Writes queue up while the previous commit's fsync runs; the writer then takes all of them in one
transaction, each inside its own savepoint, so one failing job rolls back alone. A caller's future
resolves only after the commit that holds its job, so an acknowledged write is on disk
(`synchronous=FULL`). Reads use a per-thread WAL connection and never wait for the writer; they cost
microseconds, so `query` runs them right on the event loop.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa

from kasse.adapters.private_files import make_private_database
from kasse.adapters.sql.migrate import ensure_current
from kasse.adapters.sql.unit_of_work import SqlUnitOfWork
from kasse.adapters.sql.write_jobs import Outcome, QueuedWrites, WriteJob, deliver, take_batch
from kasse.domain.merchant import Merchant

T = TypeVar("T")
log = logging.getLogger(__name__)

MAX_BATCH = 512
_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA cache_size=-65536",
)


def _connect(path: str, synchronous: str, trace: Callable[[str], None] | None = None) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in _PRAGMAS:
        conn.execute(pragma)
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.set_trace_callback(trace)
    return conn


class SqliteDatabase(QueuedWrites):
    def __init__(self, path: str | Path, *, synchronous: str = "FULL", migrate: bool = True) -> None:
        self.path = str(path)
        self._trace: Callable[[str], None] | None = None
        self._readers: list[sqlite3.Connection] = []
        self.synchronous = synchronous
        self.migrate = migrate
        self._queue: queue.SimpleQueue[WriteJob | None] = queue.SimpleQueue()
        self._local = threading.local()
        self._thread: threading.Thread | None = None
        self._writer: sqlite3.Connection | None = None
        self._listeners: list[Callable[[frozenset[str]], None]] = []
        self._merchants: dict[str, Merchant] = {}  # stored sales units never change (SqlMerchants)
        self.batches = 0
        self.jobs = 0

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def open(self) -> SqliteDatabase:
        if self.path != ":memory:":  # it holds hashed credentials and webhook secrets: this user's only
            make_private_database(self.path)
        engine = sa.create_engine(self.url)
        try:
            ensure_current(engine, migrate=self.migrate)
        finally:
            engine.dispose()
        self._writer = _connect(self.path, self.synchronous, self._trace)
        self._thread = threading.Thread(target=self._run, name="kasse-sqlite-writer", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def trace_statements(self, trace: Callable[[str], None] | None) -> None:
        """Call `trace` with every statement any connection runs from now on, parameters filled in (tests)."""
        self._trace = trace
        for conn in [self._writer, *self._readers]:
            if conn is not None:
                conn.set_trace_callback(trace)

    def on_commit(self, listener: Callable[[frozenset[str]], None]) -> None:
        """Call `listener` with the commit's topics on the writer thread after every commit (to wake workers)."""
        self._listeners.append(listener)

    def read(self, fn: Callable[[SqlUnitOfWork], T]) -> T:
        uow: SqlUnitOfWork | None = getattr(self._local, "uow", None)
        if uow is None:
            conn = _connect(self.path, self.synchronous, self._trace)
            self._readers.append(conn)
            uow = SqlUnitOfWork(conn, self._merchants)
            self._local.uow = uow
        return fn(uow)

    async def query(self, fn: Callable[[SqlUnitOfWork], T]) -> T:
        """Read from the event loop: on SQLite a read costs microseconds, less than a hop to a thread."""
        return self.read(fn)

    def _run(self) -> None:
        assert self._writer is not None
        conn, uow = self._writer, SqlUnitOfWork(self._writer, self._merchants)
        self._writing.uow = uow
        stop = False
        while not stop:
            first = self._queue.get()
            if first is None:
                break
            batch, stop = take_batch(self._queue, first, MAX_BATCH)
            self._commit_batch(conn, uow, batch)

    def _commit_batch(self, conn: sqlite3.Connection, uow: SqlUnitOfWork, batch: list[WriteJob]) -> None:
        outcomes: list[Outcome] = []
        uow.take_topics()
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in batch:
                conn.execute("SAVEPOINT job")
                try:
                    result = job.fn(uow)
                except Exception as exc:  # the job's own failure: undo it alone, tell its caller
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    outcomes.append((job, None, exc))
                else:
                    conn.execute("RELEASE job")
                    outcomes.append((job, result, None))
            conn.execute("COMMIT")
        except Exception as exc:
            log.exception("commit of %d jobs failed", len(batch))
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            outcomes = [(job, None, exc) for job in batch]
            uow.take_topics()
        else:
            self.batches += 1
            self.jobs += len(batch)
        deliver(outcomes)
        topics = uow.take_topics()
        if topics:
            for listener in self._listeners:
                listener(topics)
