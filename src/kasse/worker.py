"""Background loops: expiring unanswered payments, delivering webhooks (`delivery_loop.py`), the shared clock."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from kasse.adapters.commit_signal import CLOCK
from kasse.bootstrap import Container
from kasse.delivery_loop import deliver_webhooks
from kasse.services.expiry import BATCH, expire_due_payments
from kasse.services.shared_clock import follow

log = logging.getLogger("kasse.worker")

SWEEP_INTERVAL = 1.0  # seconds of real time between expiry sweeps
CLOCK_INTERVAL = 0.2  # seconds of real time between looks at the shared test clock


async def sweep_expired(container: Container) -> int:
    """Expire everything due now, in batches; return how many payments expired."""
    db, clock, ids = container.db, container.clock, container.ids
    total = 0
    while True:
        moved = await db.write(lambda uow: expire_due_payments(uow, clock, ids))
        total += moved
        if moved < BATCH:
            return total


async def expire_loop(container: Container, stop: asyncio.Event) -> None:
    limiter = container.limiter
    while not stop.is_set():
        try:
            await sweep_expired(container)
            if limiter.shared and limiter.enabled:  # windows that have gone quiet (adapters/rate_limits.py)
                await container.db.write(limiter.prune)
        except Exception:
            log.exception("expiry sweep failed; retrying")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SWEEP_INTERVAL)


async def follow_clock(container: Container, stop: asyncio.Event) -> None:
    """Take on clock moves made through another process; the loops waiting on the clock look again."""
    if container.settings.production:  # the clock never moves there
        return
    while not stop.is_set():
        try:
            if await container.db.query(lambda uow: follow(uow, container.clock)):
                container.commits.notify({CLOCK})
        except Exception:
            log.exception("could not read the shared clock; retrying")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), CLOCK_INTERVAL)


async def run_background(container: Container, stop: asyncio.Event) -> None:
    await asyncio.gather(expire_loop(container, stop), deliver_webhooks(container, stop), follow_clock(container, stop))
