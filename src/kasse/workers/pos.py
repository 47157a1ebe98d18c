"""The POS's loop: started at boot when it has sales to recover, otherwise on first use.

It polls from the start and registers its webhook receiver beside that (through the SDK, so the server
must already be listening): a registration the platform refuses (an http public URL in production, say)
or cannot take yet only costs the POS its early wake-ups, never a sale. Failed registrations are retried
with exponential backoff, reported once per reason.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from kasse.live_streams import woken
from kasse.pos.runtime import PosRuntime
from kasse.pos.service import PosService
from kasse.pos.webhooks import ensure_webhook
from kasse.sdk import NetworkError

log = logging.getLogger("kasse.pos")
FIRST_RETRY = 0.5  # seconds before the second registration attempt ...
MAX_RETRY = 300.0  # ... doubling each time up to five minutes


def retry_delays() -> list[float]:
    """Return the waits between registration attempts until they stop growing (then the last one repeats)."""
    delays = [FIRST_RETRY]
    while delays[-1] < MAX_RETRY:
        delays.append(min(delays[-1] * 2, MAX_RETRY))
    return delays


async def run_pos(runtime: PosRuntime, stop: asyncio.Event) -> None:
    """Wait until the POS is used (or has a database from before), then serve it until `stop`."""
    if runtime.config.database != ":memory:" and Path(runtime.config.database).exists():
        runtime.wanted.set()
    await woken(runtime.wanted, stop, timeout=None)
    if stop.is_set():
        return
    pos = runtime.service
    try:
        await serve_pos(pos, stop)
    finally:
        await pos.client.aclose()
        pos.store.close()
        runtime.forget()


async def serve_pos(pos: PosService, stop: asyncio.Event) -> None:
    """Poll until `stop`, registering the webhook receiver beside it: no sale waits for a webhook."""
    registering = asyncio.create_task(keep_registering(pos, stop))
    try:
        recovered = pos.recover()
        if recovered:
            log.info("POS recovering %d pending sale(s)", recovered)
        await pos.poll(stop)
    finally:
        registering.cancel()
        await asyncio.gather(registering, return_exceptions=True)


async def keep_registering(pos: PosService, stop: asyncio.Event) -> None:
    """Register the webhook receiver, retrying with backoff; say why it failed once per reason, never per try."""
    delays, said = retry_delays(), None
    attempt = 0
    while not stop.is_set():
        try:
            await ensure_webhook(pos)
        except Exception as err:  # refused, unreachable or broken: polling carries on regardless
            reason = f"{type(err).__name__}: {err}"
            if reason != said:  # unreachable is usual at start (the server is not listening yet); refused is not
                log.log(logging.INFO if isinstance(err, NetworkError) else logging.WARNING,
                        "POS webhook registration for %s failed (%s); settling sales by polling, retrying"
                        " with backoff up to %g s", pos.config.webhook_url, reason, MAX_RETRY)
                said = reason
        else:
            if said is not None:
                log.info("POS webhook registration for %s succeeded after all", pos.config.webhook_url)
            return
        await woken(stop, timeout=delays[min(attempt, len(delays) - 1)])
        attempt += 1
