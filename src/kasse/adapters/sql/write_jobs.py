"""Write jobs queued for a database's writer threads (SQLite and PostgreSQL), and handing their outcomes to the
callers after COMMIT."""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from kasse.adapters.sql.unit_of_work import SqlUnitOfWork

Outcome = tuple["WriteJob", Any, BaseException | None]
Reads = tuple[str, str, str]  # what a job reads first: a sales unit's payment and idempotency key (msn, reference, key)
T = TypeVar("T")


class WriteJob:
    """One write: a function of the unit of work, and where its outcome goes.

    Async callers get an asyncio future on their loop; a writer resolves a whole batch's futures with
    one `call_soon_threadsafe` per loop instead of one wake-up per job. `reads` names what the job reads
    first (`payments.expect(msn, reference)`, then `idempotency.get(msn, key)`, as `api/idempotency.write_once`
    does), so a writer that pays a round trip per read can send it for a whole batch at once (`reads_ahead`).
    """

    __slots__ = ("fn", "future", "loop", "reads")

    def __init__(self, fn: Callable[[SqlUnitOfWork], Any], loop: asyncio.AbstractEventLoop | None = None,
                 reads: Reads | None = None) -> None:
        self.fn = fn
        self.loop = loop
        self.reads = reads
        self.future: Future[Any] | asyncio.Future[Any] = loop.create_future() if loop else Future()


def _sendable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def reads_ahead(batch: list[WriteJob]) -> list[Reads]:
    """Return the reads a batch may fetch before its first job runs: each read as its job would see it.

    A job changes only the payment and key it names, so a later job's read can go first unless an earlier
    job of the batch names the same payment or key (it would miss that job's write), or names nothing (it
    may change anything). So: the leading jobs that name their reads, up to the first that repeats one, or
    names a text the store cannot take (a NUL, a lone surrogate: refused as it is sent, which must fail that
    job alone, in its turn).
    A read another process makes stale meanwhile is caught as a read made inside the job would be: the
    write conflicts (a key or reference taken, a version moved) and the job runs again alone.
    """
    ahead: list[Reads] = []
    seen: set[tuple[str, str]] = set()
    for job in batch:
        if job.reads is None or not all(map(_sendable, job.reads)):
            break
        msn, reference, key = job.reads
        names = ((msn, "r" + reference), (msn, "k" + key))
        if not seen.isdisjoint(names):
            break
        seen.update(names)
        ahead.append(job.reads)
    return ahead


def _settle(outcomes: list[Outcome]) -> None:
    for job, result, error in outcomes:
        if job.future.done():  # an async caller may have been cancelled meanwhile
            continue
        if error is not None:
            job.future.set_exception(error)
        else:
            job.future.set_result(result)


def deliver(outcomes: list[Outcome]) -> None:
    """Settle each outcome on its caller's loop (or at once for threads): one wake-up per loop, not per job."""
    by_loop: dict[asyncio.AbstractEventLoop | None, list[Outcome]] = {}
    for outcome in outcomes:
        by_loop.setdefault(outcome[0].loop, []).append(outcome)
    for loop, items in by_loop.items():
        if loop is None:
            _settle(items)
        elif not loop.is_closed():
            loop.call_soon_threadsafe(_settle, items)


def take_batch(jobs: queue.SimpleQueue[WriteJob | None], first: WriteJob, limit: int) -> tuple[list[WriteJob], bool]:
    """Return `first` and the jobs queued behind it, `limit` in all at most, and whether a stop (None) came next."""
    batch = [first]
    while len(batch) < limit:
        try:
            job = jobs.get_nowait()
        except queue.Empty:
            break
        if job is None:
            return batch, True
        batch.append(job)
    return batch, False


class QueuedWrites:
    """`submit`, `write` and `write_sync` of a database whose writer threads take jobs from `_queue`."""

    _queue: queue.SimpleQueue[WriteJob | None]
    _writing = threading.local()  # `uow`: the unit of work of the job this writer thread is running

    def current(self) -> SqlUnitOfWork | None:
        """Return the unit of work of the write job running on this thread (None off the writer threads).

        A job that needs a write of its own (taking a test fault while closing a ledger) joins its own
        transaction instead of queueing a second job for the writer that is running it, and waiting forever.
        """
        return getattr(self._writing, "uow", None)

    def _check_open(self) -> None:
        """Refuse a write nothing will take; a database whose writers start with it has nothing to check."""

    def submit(self, fn: Callable[[SqlUnitOfWork], T], *, reads: Reads | None = None) -> Future[T]:
        """Queue a write from any thread; the future resolves after the COMMIT that holds it."""
        self._check_open()
        job = WriteJob(fn, None, reads)
        self._queue.put(job)
        assert isinstance(job.future, Future)
        return job.future

    async def write(self, fn: Callable[[SqlUnitOfWork], T], *, reads: Reads | None = None) -> T:
        """Queue a write from the event loop and await its committed result; `reads`: see `WriteJob`."""
        self._check_open()
        job = WriteJob(fn, asyncio.get_running_loop(), reads)
        future = job.future
        assert isinstance(future, asyncio.Future)
        self._queue.put(job)
        result: T = await future
        return result

    def write_sync(self, fn: Callable[[SqlUnitOfWork], T]) -> T:
        """Queue a write and block until it is committed."""
        return self.submit(fn).result()

    async def write_apart(self, fn: Callable[[SqlUnitOfWork], T]) -> T:
        """Commit a write that no request waits for (the request log) where it costs the payments least.

        Here, with the other writes: one writer (SQLite) commits it in the next group. A database with
        writers running side by side commits it in a transaction of its own (PostgresDatabase).
        """
        return await self.write(fn)
