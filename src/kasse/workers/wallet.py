"""The wallet users' scripted behaviours (approve after N s, always reject, never answer), applied as they fall due."""

from __future__ import annotations

import asyncio
import logging

from kasse.container import Container
from kasse.live_streams import woken as woken_by
from kasse.services import wallet
from kasse.services.topics import CLOCK, WALLET

log = logging.getLogger("kasse.wallet")

BEHAVIOUR_POLL = 0.5  # seconds between looks for due behaviours when no commit wakes the loop


async def run_behaviours(container: Container, stop: asyncio.Event) -> None:
    """Answer due requests by the users' behaviours whenever something commits or time passes."""
    clock, ids, db = container.clock, container.ids, container.db
    woken = container.commits.subscribe(WALLET, CLOCK)
    try:
        while not stop.is_set():
            woken.clear()
            try:
                # a read first, so the loop's own commits do not wake it into a busy loop
                if await db.query(lambda uow: uow.wallet.due_requests(clock.now(), 1)):
                    await db.write(lambda uow: wallet.apply_due_behaviours(uow, clock, ids))
            except Exception:
                log.exception("applying wallet behaviours failed; retrying")
            await woken_by(woken, stop, timeout=BEHAVIOUR_POLL)
    finally:
        container.commits.unsubscribe(woken)
