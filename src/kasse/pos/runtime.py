"""The POS inside `kasse serve`: started at boot when it has sales to recover, otherwise on first use.

Starting registers the webhook receiver (through the SDK, so the server must already be listening) and
runs the poll loop until the server stops.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from kasse.adapters.pos_store import SqlitePosStore
from kasse.pos.config import PosConfig
from kasse.pos.live import Notifier, woken
from kasse.pos.service import PosService, new_client
from kasse.pos.webhooks import ensure_webhook
from kasse.sdk import KasseError

log = logging.getLogger("kasse.pos")
RETRY_SETUP = 0.5  # seconds between attempts to reach the platform at start-up


class PosRuntime:
    """Holds the one `PosService` of this process, made when first needed."""

    def __init__(self, config: PosConfig) -> None:
        self.config = config
        self.notifier = Notifier()
        self.wanted = asyncio.Event()
        self._service: PosService | None = None

    @property
    def service(self) -> PosService:
        if self._service is None:
            self._service = PosService(new_client(self.config), SqlitePosStore(self.config.database), self.config,
                                       notifier=self.notifier)
            self.wanted.set()
        return self._service

    async def run(self, stop: asyncio.Event) -> None:
        """Wait until the POS is used (or has a database from before), then set up and poll until `stop`."""
        if self.config.database != ":memory:" and Path(self.config.database).exists():
            self.wanted.set()
        await woken(self.wanted, stop, timeout=None)
        if stop.is_set():
            return
        pos = self.service
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
            self._service = None
