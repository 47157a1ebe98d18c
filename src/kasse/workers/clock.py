"""Following the shared test clock: a move made through another process reaches this one within 0.2 s."""

from __future__ import annotations

import asyncio
import logging

from kasse.container import Container
from kasse.live_streams import woken
from kasse.services.shared_clock import follow
from kasse.services.topics import CLOCK

log = logging.getLogger("kasse.worker")

CLOCK_INTERVAL = 0.2  # seconds of real time between looks at the shared test clock


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
        await woken(stop, timeout=CLOCK_INTERVAL)
