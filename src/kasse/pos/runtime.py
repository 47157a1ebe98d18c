"""The POS inside `kasse serve`: its one `PosService`, made when first needed.

Its loop (`kasse.workers.pos`) starts it at boot when it has sales to recover, otherwise on first use.
"""

from __future__ import annotations

import asyncio

from kasse.pos.config import PosConfig
from kasse.pos.live import Notifier
from kasse.pos.service import PosService, new_client
from kasse.pos.staff_store import StaffAccounts
from kasse.pos.store import SqlitePosStore


class PosRuntime:
    """Holds the one `PosService` of this process, made when first needed."""

    def __init__(self, config: PosConfig) -> None:
        self.config = config
        self.notifier = Notifier()
        self.wanted = asyncio.Event()
        self._service: PosService | None = None
        self._accounts: StaffAccounts | None = None

    @property
    def service(self) -> PosService:
        if self._service is None:
            self._service = PosService(new_client(self.config), SqlitePosStore(self.config.database), self.config,
                                       notifier=self.notifier)
            self.wanted.set()
        return self._service

    @property
    def accounts(self) -> StaffAccounts:
        """The staff and their sessions: a connection of its own, so signing in never starts the POS's loop."""
        if self._accounts is None:
            self._accounts = StaffAccounts(SqlitePosStore(self.config.database))
        return self._accounts

    def close(self) -> None:
        """Close the staff store (the server is stopping)."""
        if self._accounts is not None:
            self._accounts.store.close()
            self._accounts = None

    def forget(self) -> None:
        """Drop the service after its loop ended; the next use makes a new one."""
        self._service = None
