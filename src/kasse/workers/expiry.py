"""The expiry loop: payments nobody answered in time become EXPIRED, about once a second."""

from __future__ import annotations

import asyncio
import logging

from kasse.container import Container
from kasse.live_streams import woken
from kasse.services.expiry import sweep_expired

log = logging.getLogger("kasse.worker")

SWEEP_INTERVAL = 1.0  # seconds of real time between expiry sweeps


async def expire_loop(container: Container, stop: asyncio.Event) -> None:
    limiter = container.limiter
    while not stop.is_set():
        try:
            await sweep_expired(container.db.write, container.clock, container.ids)
            if limiter.shared and limiter.enabled:  # rate-limit windows gone quiet (adapters/rate_limits.py)
                await container.db.write(limiter.prune)
        except Exception:
            log.exception("expiry sweep failed; retrying")
        await woken(stop, timeout=SWEEP_INTERVAL)
