"""The wired parts a request or a background loop works with, typed by what they do, not by which adapter.

`bootstrap.build` fills a `Container` with adapters; everything else sees only these Protocols, so no
route, page or loop needs the composition root (or a driver) to name its types.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from kasse.domain.access_token import Claims, IssuedToken, PartnerClaims
from kasse.domain.merchant import Merchant
from kasse.services.faults import FaultBoard
from kasse.services.faulty_sender import SigningSender
from kasse.services.ports import Ids, UnitOfWork
from kasse.services.shared_clock import MovableClock
from kasse.settings import Settings

T = TypeVar("T")


class Database(Protocol):
    """The store: reads on the caller's thread, writes committed one transaction per job (DESIGN.md)."""

    def read(self, fn: Callable[[UnitOfWork], T]) -> T: ...
    async def write(self, fn: Callable[[UnitOfWork], T]) -> T: ...
    def write_sync(self, fn: Callable[[UnitOfWork], T]) -> T: ...
    def on_commit(self, listener: Callable[[], None]) -> None: ...
    def close(self) -> None: ...


class TestClock(MovableClock, Protocol):
    """kasse's clock, which the control plane moves (adapters.clock.ControllableClock)."""

    def advance(self, delta: timedelta) -> datetime: ...
    def freeze(self) -> datetime: ...
    def unfreeze(self) -> datetime: ...
    @property
    def frozen(self) -> bool: ...


class TokenIssuer(Protocol):
    """Signs and verifies access tokens (contract §2.1)."""

    def issue(self, merchant: Merchant, now: datetime) -> IssuedToken: ...
    def verify(self, token: str, now: datetime) -> Claims: ...
    def issue_partner(self, partner_id: str, client_id: str, now: datetime) -> IssuedToken: ...
    def verify_report(self, token: str, now: datetime) -> Claims | PartnerClaims: ...


class RateLimits(Protocol):
    """Counts calls per operation and reference; refuses with a 429 problem when a window is full (§4.13)."""

    def hit(self, operation: str, scope: str, reference: str) -> None: ...


class QrRenderer(Protocol):
    """Draws a QR code for a content string."""

    def svg(self, content: str, size: int | None = None) -> bytes: ...
    def png(self, content: str, size: int = 1024) -> bytes: ...


class QrReader(Protocol):
    """Finds the QR codes in an uploaded image (the wallet's scanner)."""

    def read(self, data: bytes) -> list[str]: ...


class CommitSignals(Protocol):
    """Wakes waiting tasks after commits, across threads and event loops."""

    def subscribe(self) -> asyncio.Event: ...
    def unsubscribe(self, event: asyncio.Event) -> None: ...
    def notify(self) -> None: ...


@dataclass
class Container:
    settings: Settings
    db: Database
    clock: TestClock
    ids: Ids
    tokens: TokenIssuer
    limiter: RateLimits
    qr: QrRenderer
    # webhooks: x-ms-date is signed with the wall clock (receivers compare it with theirs); commits wake the loops
    sender: SigningSender
    commits: CommitSignals
    qr_reader: QrReader
    faults: FaultBoard = field(init=False)  # armed test faults (services/faults.py), none in production

    def __post_init__(self) -> None:
        self.faults = FaultBoard(self.clock, self.ids, enabled=not self.settings.production)
