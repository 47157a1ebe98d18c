"""The ledger-closing loop: closes every ledger date whose midnight has come on kasse's clock.

It looks once a second; a clock move closes what it made due at once (`close_due_ledgers`, called by
`/_kasse/clock/...`), so `kasse clock advance 1d` shows the closed date in its answer. Each ledger closes
in its own transaction under its row lock: several processes may run this loop on one PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from typing import TYPE_CHECKING

from kasse.services.faults import FaultBoard
from kasse.services.ledger_closing import ClosedDate, close_ledger, due_ledgers
from kasse.services.ports import UnitOfWork

if TYPE_CHECKING:
    from kasse.bootstrap import Container

log = logging.getLogger("kasse.ledgers")

CLOSE_POLL = 1.0  # seconds of real time between looks for dates to close
MAX_ROUNDS = 1000  # a guard: each round closes up to a batch of ledgers through today


def _close(uow: UnitOfWork, *, ledger_id: str, container: Container, faults: FaultBoard | None) -> list[ClosedDate]:
    return close_ledger(uow, ledger_id, container.clock.now(), faults)


async def close_due_ledgers(container: Container) -> list[ClosedDate]:
    """Close every due date of every ledger now; return what this call closed (others may have closed some)."""
    db, clock = container.db, container.clock
    faults = None if container.settings.production else container.faults
    closed: list[ClosedDate] = []
    for _ in range(MAX_ROUNDS):
        due = await asyncio.to_thread(db.read, lambda uow: due_ledgers(uow, clock.now()))
        if not due:
            break
        jobs = [db.write(functools.partial(_close, ledger_id=ledger_id, container=container, faults=faults))
                for ledger_id in due]
        for result in await asyncio.gather(*jobs):
            closed.extend(result)
    return closed


async def run_ledger_closing(container: Container, stop: asyncio.Event) -> None:
    """Close due ledger dates until `stop` is set; a failure is logged and retried on the next look."""
    while not stop.is_set():
        try:
            await close_due_ledgers(container)
        except Exception:  # nothing is lost: the date stays open and is closed on the next look
            log.exception("closing ledger dates failed; retrying")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), CLOSE_POLL)
