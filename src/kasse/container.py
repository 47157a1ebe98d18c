"""The wired parts a request or a background loop works with, typed by what they do, not by which adapter.

`bootstrap.build` fills a `Container` with adapters; everything else sees only these Protocols, so no
route, page or loop needs the composition root (or a driver) to name its types.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from kasse.domain.access_token import Claims, IssuedToken, PartnerClaims
from kasse.domain.merchant import Merchant
from kasse.services.faults import FaultBoard
from kasse.services.faulty_sender import SigningSender
from kasse.services.ports import Ids, UnitOfWork
from kasse.services.request_recording import RequestRecorder
from kasse.services.shared_clock import MovableClock
from kasse.settings import Settings

T = TypeVar("T")


class Database(Protocol):
    """The store: reads on the caller's thread, writes committed one transaction per job (DESIGN.md)."""

    def read(self, fn: Callable[[UnitOfWork], T]) -> T: ...
    async def query(self, fn: Callable[[UnitOfWork], T]) -> T: ...  # a read that never blocks the event loop
    # reads: (msn, reference, idempotency key) the job reads first, which a store may fetch for a batch at once
    async def write(self, fn: Callable[[UnitOfWork], T], *, reads: tuple[str, str, str] | None = None) -> T: ...
    def write_sync(self, fn: Callable[[UnitOfWork], T]) -> T: ...
    async def write_apart(self, fn: Callable[[UnitOfWork], T]) -> T: ...  # beside the group commit (request log)
    def on_commit(self, listener: Callable[[frozenset[str]], None]) -> None: ...  # called with the topics
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
    """Counts calls per operation and reference (§4.13) inside the caller's unit of work; RateLimitedError when a
    window is full. `shared`: counted in the store for every process (PostgreSQL), `prune` drops quiet windows."""

    shared: bool
    enabled: bool

    def hit(self, uow: UnitOfWork, operation: str, scope: str, reference: str) -> None: ...
    def prune(self, uow: UnitOfWork) -> int: ...


class QrRenderer(Protocol):
    """Draws a QR code for a content string."""

    def svg(self, content: str, size: int | None = None) -> bytes: ...
    def png(self, content: str, size: int = 1024) -> bytes: ...


class QrReader(Protocol):
    """Finds the QR codes in an uploaded image (the wallet's scanner)."""

    def read(self, data: bytes) -> list[str]: ...


class CommitSignals(Protocol):
    """Wakes waiting tasks after commits, across threads and event loops."""

    def subscribe(self, *topics: str) -> asyncio.Event: ...  # services/topics.py; none named: every commit
    def unsubscribe(self, event: asyncio.Event) -> None: ...
    def notify(self, topics: Iterable[str] = ...) -> None: ...


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
    faults: FaultBoard  # armed test faults (services/faults.py) in the shared store, none in production
    requests: RequestRecorder | None = None  # the request log's queue; None when requests are not recorded
