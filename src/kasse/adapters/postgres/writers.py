"""The writer threads of a PostgreSQL process: one takes every batch, the others stand by for a stuck one.

Group commit pays off only when batches are large. Writers that each took a job the moment they were idle
made many small transactions (8 callers in a closed loop: 2.2 jobs per COMMIT, against 4.0 now), and each
COMMIT costs kasse round trips and PostgreSQL a transaction and a WAL flush. So the first writer
takes everything queued, commits it, and comes back for what arrived meanwhile: one batch in flight at a
time, with no hand-over between threads (bench/README.md, "Issue #17, fifth pass").

One writer alone would let one wait hold up every write of the process: a batch blocked on another
process's row lock until that transaction ends, or a job that waits for a write of its own process. So the
other writers stand by: once the batch in flight has taken `STUCK_AFTER`, one of them takes the jobs queued
behind it and commits them beside it.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg

from kasse.adapters.sql.write_jobs import WriteJob, take_batch

MAX_BATCH = 256
# seconds a batch may be in flight before a standby writer goes ahead beside it; standby writers look this
# often too: each look wakes a thread and takes the GIL (1% of a busy process's CPU at every 10 ms)
STUCK_AFTER = 0.05

Conn = psycopg.Connection[Any] | None
# commits a batch on a connection (opening one first where there is none); returns the connection to use next
Commit = Callable[[Conn, list[WriteJob]], Conn]


class Writers:
    def __init__(self, jobs: queue.SimpleQueue[WriteJob | None], commit: Commit, threads: int, *,
                 stuck_after: float = STUCK_AFTER) -> None:
        self._queue = jobs
        self._commit = commit
        self._stuck_after = stuck_after
        self._since: float | None = None  # when the first writer's batch in flight started
        self._closing = threading.Event()
        self._threads = [
            threading.Thread(target=self._first if i == 0 else self._stand_by, name=f"kasse-pg-writer-{i}",
                             daemon=True)
            for i in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def close(self) -> None:
        """Commit what is queued, then stop every writer."""
        self._closing.set()
        self._queue.put(None)  # after the queued jobs: the first writer commits them all before it stops
        for thread in self._threads:
            thread.join()

    def _first(self) -> None:
        conn: Conn = None
        while (first := self._queue.get()) is not None:
            self._since = time.monotonic()
            conn = self._commit(conn, self._take(first))
            self._since = None
        if conn is not None:
            conn.close()

    def _stand_by(self) -> None:
        conn: Conn = None
        while not self._closing.wait(self._stuck_after):
            since = self._since
            if since is None or time.monotonic() - since < self._stuck_after:
                continue
            try:
                first = self._queue.get_nowait()
            except queue.Empty:
                continue
            if first is None:
                self._queue.put(None)  # the first writer's stop, for it to find
                continue
            conn = self._commit(conn, self._take(first))
        if conn is not None:
            conn.close()

    def _take(self, first: WriteJob) -> list[WriteJob]:
        batch, stop = take_batch(self._queue, first, MAX_BATCH)
        if stop:
            self._queue.put(None)  # for the first writer to find after this batch
        return batch
