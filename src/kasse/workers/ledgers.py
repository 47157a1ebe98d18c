"""The ledger-closing loop: closes every ledger date whose midnight has come on kasse's clock.

It looks once a second; a clock move closes what it made due at once (`/_kasse/clock/...` calls
`close_due_ledgers` itself), so `kasse clock advance 1d` shows the closed date in its answer. Each ledger
closes in its own transaction under its row lock: several processes may run this loop on one PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging

from kasse.container import Container
from kasse.live_streams import woken
from kasse.services.ledger_closing import ClosedDate, close_due_ledgers

log = logging.getLogger("kasse.ledgers")

CLOSE_POLL = 1.0  # seconds of real time between looks for dates to close


async def close_due(container: Container) -> list[ClosedDate]:
    """Close what is due now with the container's store, clock and (outside production) fault board."""
    board = None if container.settings.production else container.faults
    return await close_due_ledgers(container.db.read, container.db.write, container.clock, board)


async def run_ledger_closing(container: Container, stop: asyncio.Event) -> None:
    """Close due ledger dates until `stop` is set; a failure is logged and retried on the next look."""
    while not stop.is_set():
        try:
            await close_due(container)
        except Exception:  # nothing is lost: the date stays open and is closed on the next look
            log.exception("closing ledger dates failed; retrying")
        await woken(stop, timeout=CLOSE_POLL)
