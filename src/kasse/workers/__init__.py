"""Every background loop, started from one place: `kasse serve` (in its lifespan) and `kasse worker` call `run_workers`.

The platform's loops (expiry, webhook delivery, the wallet users' behaviours) may run in any number of
processes sharing one database; the shared test clock is followed everywhere; the POS's loop runs where
the POS is served.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from kasse.container import Container
from kasse.pos.runtime import PosRuntime
from kasse.workers.clock import follow_clock
from kasse.workers.delivery import deliver_webhooks
from kasse.workers.expiry import expire_loop
from kasse.workers.ledgers import run_ledger_closing
from kasse.workers.pos import run_pos
from kasse.workers.wallet import run_behaviours

__all__ = ["run_workers"]


async def run_workers(container: Container, stop: asyncio.Event, *, platform: bool = True,
                      pos: PosRuntime | None = None) -> None:
    """Run the loops until `stop`: the clock always, the platform's if asked, the POS's if given."""
    loops: list[Coroutine[Any, Any, None]] = [follow_clock(container, stop)]
    if platform:
        loops += [expire_loop(container, stop), deliver_webhooks(container, stop), run_behaviours(container, stop)]
        loops.append(run_ledger_closing(container, stop))  # Report API: ledger dates close at midnight
    if pos is not None:
        loops.append(run_pos(pos, stop))
    await asyncio.gather(*loops)
