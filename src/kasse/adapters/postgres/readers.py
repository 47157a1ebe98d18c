"""Reads off the event loop: a few reader threads, each with its own connection, answering in batches.

A GET on PostgreSQL is a network round trip; on the event loop it would stall every other request of the
process meanwhile. Each reader takes the reads queued since it last looked, runs them, and hands all their
answers to the event loop in one wake-up (`write_jobs.deliver`), so under load a read costs a fraction of a
thread hop instead of two (a plain thread pool wakes a thread and then the loop once per read).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from kasse.adapters.sql.unit_of_work import SqlUnitOfWork
from kasse.adapters.sql.write_jobs import Outcome, WriteJob, deliver, take_batch

T = TypeVar("T")
MAX_BATCH = 64


class Readers:
    def __init__(self, read: Callable[[Callable[[SqlUnitOfWork], Any]], Any], threads: int) -> None:
        self._read = read  # runs one read on the calling thread's connection
        self._queue: queue.SimpleQueue[WriteJob | None] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._loop, name=f"kasse-pg-read-{i}", daemon=True)
                         for i in range(threads)]
        for thread in self._threads:
            thread.start()

    async def query(self, fn: Callable[[SqlUnitOfWork], T]) -> T:
        job = WriteJob(fn, asyncio.get_running_loop())
        future = job.future
        assert isinstance(future, asyncio.Future)
        self._queue.put(job)
        result: T = await future
        return result

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()

    def _loop(self) -> None:
        while (first := self._queue.get()) is not None:
            batch, stop = take_batch(self._queue, first, MAX_BATCH)
            outcomes: list[Outcome] = []
            for job in batch:
                try:
                    outcomes.append((job, self._read(job.fn), None))
                except Exception as exc:
                    outcomes.append((job, None, exc))
            deliver(outcomes)
            if stop:
                return
