"""The POS's loop: started at boot when it has sales to recover, otherwise on first use.

Starting registers the webhook receiver (through the SDK, so the server must already be listening) and
runs the poll loop until the server stops.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from kasse.pos.runtime import PosRuntime
from kasse.pos.webhooks import ensure_webhook
from kasse.sdk import KasseError
from kasse.wakeups import woken

log = logging.getLogger("kasse.pos")
RETRY_SETUP = 0.5  # seconds between attempts to reach the platform at start-up


async def run_pos(runtime: PosRuntime, stop: asyncio.Event) -> None:
    """Wait until the POS is used (or has a database from before), then set up and poll until `stop`."""
    if runtime.config.database != ":memory:" and Path(runtime.config.database).exists():
        runtime.wanted.set()
    await woken(runtime.wanted, stop, timeout=None)
    if stop.is_set():
        return
    pos = runtime.service
    try:
        while not stop.is_set():
            try:
                await ensure_webhook(pos)
                break
            except KasseError as err:
                log.info("POS webhook setup waits for the platform: %s", err)
                await woken(stop, timeout=RETRY_SETUP)
        recovered = pos.recover()
        if recovered:
            log.info("POS recovering %d pending sale(s)", recovered)
        await pos.poll(stop)
    finally:
        await pos.client.aclose()
        pos.store.close()
        runtime.forget()
