"""Webhook faults in the delivery path: a sender that wraps the real one and applies armed faults.

Each attempt at a delivery to a sales unit with a webhook fault armed takes one firing of the oldest
such fault (`FaultBoard.take`) and does what its kind says (docs/faults.md). Whatever happens is
reported as an ordinary attempt result, so the outbox, the retry schedule and the ordering rule
work exactly as they do for a real receiver. Deliveries to other sales units pass straight through.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from kasse.domain.faults import WEBHOOK_KINDS, Fault, FaultKind
from kasse.domain.webhook_delivery import DeliveryJob
from kasse.services.deliveries import AttemptResult
from kasse.services.faults import FaultBoard
from kasse.services.ports import Clock

REORDER_WAIT = 2.0  # seconds of real time a reordered delivery waits for another payment's to overtake it
DELAY_POLL = 0.05  # seconds of real time between looks at kasse's clock while a delayed delivery waits
WRONG_SECRET = "kasse-fault-wrong-secret"  # deliberately not the registration's secret


class SigningSender(Protocol):
    """The real sender, with signing apart from posting, so a fault can tamper with or reuse headers."""

    def headers(self, job: DeliveryJob) -> dict[str, str]:
        """Sign the job as of now."""
        ...

    async def post(self, job: DeliveryJob, sent_at: datetime, headers: dict[str, str]) -> AttemptResult:
        """POST the payload with these headers; report failures in the result."""
        ...

    async def send(self, job: DeliveryJob, sent_at: datetime) -> AttemptResult:
        """Sign and POST."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


@dataclass(eq=False)
class _Held:
    """A reordered delivery waiting for a delivery of another payment of its sales unit to go first."""

    msn: str
    reference: str | None
    overtaken: asyncio.Event


class FaultyWebhookSender:
    """A `WebhookSender` that applies the fault board's webhook faults; never used in production mode."""

    def __init__(self, inner: SigningSender, faults: FaultBoard, clock: Clock, *,
                 reorder_wait: float = REORDER_WAIT, delay_poll: float = DELAY_POLL) -> None:
        self.inner = inner
        self.faults = faults
        self.clock = clock
        self.reorder_wait = reorder_wait
        self.delay_poll = delay_poll
        self._held: list[_Held] = []

    async def send(self, job: DeliveryJob, sent_at: datetime) -> AttemptResult:
        """Make one attempt, as the fault that fires for it (if any) says; never raises."""
        fault = self.faults.take(job.msn, WEBHOOK_KINDS) if job.msn and self.faults.armed(job.msn) else None
        if fault is None:
            return await self._sent(job, self.inner.send(job, sent_at))
        return await _APPLY[fault.kind](self, fault, job, sent_at)

    async def aclose(self) -> None:
        """Release the real sender's connections."""
        await self.inner.aclose()

    async def _sent(self, job: DeliveryJob, sending: Awaitable[AttemptResult]) -> AttemptResult:
        """Await a real send, then let go the reordered deliveries it was meant to overtake."""
        result = await sending
        for held in self._held:
            if held.msn == job.msn and held.reference != job.reference:
                held.overtaken.set()
        return result

    async def _drop(self, fault: Fault, job: DeliveryJob, sent_at: datetime) -> AttemptResult:
        # recorded as accepted so the delivery is final: the receiver never sees it, the POS must poll
        return AttemptResult(job, sent_at, 200, 0, f"dropped by fault {fault.id}: never sent")

    async def _delay(self, fault: Fault, job: DeliveryJob, sent_at: datetime) -> AttemptResult:
        # held in flight, so the ordering rule keeps this payment's later deliveries behind it
        due = sent_at + timedelta(seconds=fault.delay_seconds or 0)
        while self.clock.now() < due:
            await asyncio.sleep(self.delay_poll)
        return await self._sent(job, self.inner.send(job, self.clock.now()))

    async def _duplicate(self, fault: Fault, job: DeliveryJob, sent_at: datetime) -> AttemptResult:
        headers = self.inner.headers(job)  # one signing for both: the receiver gets two identical requests
        first = await self.inner.post(job, sent_at, headers)
        await self._sent(job, self.inner.post(job, sent_at, headers))
        return replace(first, error=first.error or f"sent twice by fault {fault.id}")

    async def _reorder(self, fault: Fault, job: DeliveryJob, sent_at: datetime) -> AttemptResult:
        held = _Held(job.msn, job.reference, asyncio.Event())
        self._held.append(held)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(held.overtaken.wait(), self.reorder_wait)
        finally:
            self._held.remove(held)
        return await self._sent(job, self.inner.send(job, self.clock.now()))

    async def _bad_signature(self, fault: Fault, job: DeliveryJob, sent_at: datetime) -> AttemptResult:
        headers = self.inner.headers(replace(job, secret=WRONG_SECRET))
        return await self._sent(job, self.inner.post(job, sent_at, headers))

    async def _bad_hash(self, fault: Fault, job: DeliveryJob, sent_at: datetime) -> AttemptResult:
        # signed consistently, but over other bytes: x-ms-content-sha256 does not match the body sent
        headers = self.inner.headers(replace(job, payload=job.payload + b" "))
        return await self._sent(job, self.inner.post(job, sent_at, headers))

    async def _timeout(self, fault: Fault, job: DeliveryJob, sent_at: datetime) -> AttemptResult:
        # the receiver gets it, but its answer is ignored: the retry sends it again on schedule
        result = await self._sent(job, self.inner.send(job, sent_at))
        return replace(result, response_code=None,
                       error=f"no answer within 10 s (simulated by fault {fault.id}; the answer was ignored)")


Apply = Callable[[FaultyWebhookSender, Fault, DeliveryJob, datetime], Awaitable[AttemptResult]]

_APPLY: dict[FaultKind, Apply] = {
    FaultKind.WEBHOOK_DROP: FaultyWebhookSender._drop,
    FaultKind.WEBHOOK_DELAY: FaultyWebhookSender._delay,
    FaultKind.WEBHOOK_DUPLICATE: FaultyWebhookSender._duplicate,
    FaultKind.WEBHOOK_REORDER: FaultyWebhookSender._reorder,
    FaultKind.WEBHOOK_BAD_SIGNATURE: FaultyWebhookSender._bad_signature,
    FaultKind.WEBHOOK_BAD_HASH: FaultyWebhookSender._bad_hash,
    FaultKind.WEBHOOK_TIMEOUT: FaultyWebhookSender._timeout,
}
