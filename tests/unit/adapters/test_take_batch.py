"""`write_jobs.take_batch`: what a writer or reader takes from its queue at once."""

from __future__ import annotations

import queue

from kasse.adapters.sql.write_jobs import WriteJob, take_batch


def queued(*items: WriteJob | None) -> queue.SimpleQueue[WriteJob | None]:
    jobs: queue.SimpleQueue[WriteJob | None] = queue.SimpleQueue()
    for item in items:
        jobs.put(item)
    return jobs


def job() -> WriteJob:
    return WriteJob(lambda uow: None, None)


def test_it_takes_what_is_queued_up_to_the_limit_and_leaves_the_rest() -> None:
    first, rest = job(), [job() for _ in range(4)]
    jobs = queued(*rest)
    assert take_batch(jobs, first, 3) == ([first, rest[0], rest[1]], False)
    assert take_batch(jobs, job_after := jobs.get_nowait(), 3) == ([job_after, rest[3]], False)
    assert job_after is rest[2]


def test_it_stops_at_a_stop_and_says_so() -> None:
    first, second, after = job(), job(), job()
    jobs = queued(second, None, after)
    assert take_batch(jobs, first, 10) == ([first, second], True)
    assert jobs.get_nowait() is after  # what came after the stop is left where it was
