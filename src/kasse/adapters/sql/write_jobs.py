"""Write jobs queued for a database's writer threads (SQLite and PostgreSQL), and handing their outcomes to the
callers after COMMIT."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from kasse.adapters.sql.repositories import SqlUnitOfWork

Outcome = tuple["WriteJob", Any, BaseException | None]


class WriteJob:
    """One write: a function of the unit of work, and where its outcome goes.

    Async callers get an asyncio future on their loop; a writer resolves a whole batch's futures with
    one `call_soon_threadsafe` per loop instead of one wake-up per job.
    """

    __slots__ = ("fn", "future", "loop")

    def __init__(self, fn: Callable[[SqlUnitOfWork], Any], loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.fn = fn
        self.loop = loop
        self.future: Future[Any] | asyncio.Future[Any] = loop.create_future() if loop else Future()


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
