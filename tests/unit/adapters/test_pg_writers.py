"""How a PostgreSQL process's writer threads share the queue (`adapters/postgres/writers.py`), with a fake commit."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any, cast

from kasse.adapters.postgres.writers import Conn, Writers
from kasse.adapters.sql.unit_of_work import SqlUnitOfWork
from kasse.adapters.sql.write_jobs import WriteJob, deliver


class Committed:
    """A stand-in for `PostgresDatabase._commit_on`: runs each job and records the batches, by thread."""

    def __init__(self) -> None:
        self.batches: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()

    def __call__(self, conn: Conn, batch: list[WriteJob]) -> Conn:
        names = [job.fn(cast(SqlUnitOfWork, None)) for job in batch]
        with self.lock:
            self.batches.append((threading.current_thread().name, names))
        deliver([(job, name, None) for job, name in zip(batch, names, strict=True)])
        return None


@contextmanager
def writers(threads: int, stuck_after: float) -> Iterator[tuple[queue.SimpleQueue[WriteJob | None], Committed]]:
    jobs: queue.SimpleQueue[WriteJob | None] = queue.SimpleQueue()
    committed = Committed()
    running = Writers(jobs, committed, threads, stuck_after=stuck_after)
    try:
        yield jobs, committed
    finally:
        running.close()


def job(name: str, wait: threading.Event | None = None, started: threading.Event | None = None) -> WriteJob:
    def fn(uow: object) -> str:
        if started is not None:
            started.set()
        if wait is not None:
            assert wait.wait(10), f"{name} waited in vain"
        return name
    return WriteJob(fn, None)


def future(one: WriteJob) -> Future[Any]:
    assert isinstance(one.future, Future)
    return one.future


def wait_for(queued: list[WriteJob]) -> None:
    for one in queued:
        future(one).result(10)


def test_jobs_queued_while_a_batch_is_in_flight_go_together_in_the_next_one() -> None:
    """A second writer idle beside the first does not take them one by one: one larger transaction, not four."""
    with writers(threads=2, stuck_after=5.0) as (jobs, committed):
        started, release = threading.Event(), threading.Event()
        first = job("a", wait=release, started=started)
        jobs.put(first)
        assert started.wait(10)
        behind = [job(name) for name in "bcde"]
        for one in behind:
            jobs.put(one)
        release.set()
        wait_for(behind)
        assert [names for _, names in committed.batches] == [["a"], ["b", "c", "d", "e"]]
        assert {thread for thread, _ in committed.batches} == {"kasse-pg-writer-0"}


def test_the_jobs_behind_a_stuck_batch_go_beside_it_on_a_standby_writer() -> None:
    """A batch waiting (for another process's row lock, say) does not hold up the process's other writes."""
    with writers(threads=2, stuck_after=0.05) as (jobs, committed):
        started, release = threading.Event(), threading.Event()
        jobs.put(job("stuck", wait=release, started=started))
        assert started.wait(10)
        behind = [job("b"), job("c")]
        for one in behind:
            jobs.put(one)
        wait_for(behind)  # without a standby they would wait for "stuck", which waits for the test: a timeout
        release.set()
        assert committed.batches[0] == ("kasse-pg-writer-1", ["b", "c"])


def test_with_one_writer_the_jobs_behind_a_batch_wait_for_it() -> None:
    with writers(threads=1, stuck_after=0.01) as (jobs, committed):
        started, release = threading.Event(), threading.Event()
        jobs.put(job("a", wait=release, started=started))
        assert started.wait(10)
        behind = job("b")
        jobs.put(behind)
        threading.Event().wait(0.1)
        assert not behind.future.done()
        release.set()
        future(behind).result(10)
        assert [names for _, names in committed.batches] == [["a"], ["b"]]


def test_closing_commits_every_queued_job_and_stops_every_writer() -> None:
    jobs: queue.SimpleQueue[WriteJob | None] = queue.SimpleQueue()
    committed = Committed()
    running = Writers(jobs, committed, 3, stuck_after=0.01)
    queued = [job(str(i)) for i in range(50)]
    for one in queued:
        jobs.put(one)
    running.close()
    assert all(one.future.done() for one in queued)
    assert sorted(name for _, names in committed.batches for name in names) == sorted(str(i) for i in range(50))
    assert not [t for t in threading.enumerate() if t.name.startswith("kasse-pg-writer")]
