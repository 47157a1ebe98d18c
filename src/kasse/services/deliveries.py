"""Use cases of webhook delivery: find and claim what is due, record how attempts went, redeliver.

A claim is a lease: while it runs no other worker sends the delivery; a worker that dies mid-send
loses it when it runs out, and the delivery goes out again (at least once, contract §8.3). Claiming
re-checks the ordering rule (`domain.webhook_delivery.is_held`), so per registration the deliveries
of one payment are attempted one at a time, in order. The retry schedule is persisted as
`next_attempt_at`, computed from the injected clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from kasse.domain.delivery_shares import deal, full_units
from kasse.domain.webhook_delivery import (
    FINAL_STATES,
    Attempt,
    Delivery,
    DeliveryJob,
    Trigger,
    after_attempt,
    is_accepted,
    is_overdue,
    outcome_of,
    redeliver,
)
from kasse.services.ports import UnitOfWork

# longer than the sender's 10 s timeout plus time spent queued behind other sends
LEASE = timedelta(seconds=60)
NOT_SENT = "not sent: its seven days of retries were over (contract §8.3)"
MAX_LOOKS = 4  # for due work, each leaving out the sales units that filled their share in the look before


class DeliveryNotFoundError(LookupError):
    """No delivery has this id."""


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """How one send of a claimed delivery went, as the sender saw it."""

    job: DeliveryJob
    sent_at: datetime
    response_code: int | None
    latency_ms: int
    error: str | None

    @property
    def accepted(self) -> bool:
        """Tell whether the receiver took it (any 2xx)."""
        return is_accepted(self.response_code)


class WebhookSender(Protocol):
    """Makes one attempt at a claimed delivery over the network."""

    async def send(self, job: DeliveryJob, sent_at: datetime) -> AttemptResult:
        """Sign and POST the delivery; report any failure in the result instead of raising."""
        ...

    async def aclose(self) -> None:
        """Release connections; the sender may be used again afterwards."""
        ...


def find_due(uow: UnitOfWork, now: datetime, limit: int) -> Sequence[int]:
    """Return ids of deliveries that may be attempted now, earliest due first."""
    return [delivery_id for delivery_id, _ in uow.deliveries.due(now, limit)]


def find_fair_share(uow: UnitOfWork, now: datetime, *, in_flight: Mapping[str, int], capacity: int, free: int,
                    exclude: Collection[int] = ()) -> list[int]:
    """Return ids of due deliveries to start in `free` of `capacity` send slots, each sales unit within its share.

    `in_flight` counts each sales unit's sends under way (`domain.delivery_shares`): a unit whose receivers
    never answer holds at most its share, and the rest, a reserve included, stays for the others.
    """
    held = Counter(in_flight)
    skip = full_units(held, capacity, len(held))
    chosen: list[int] = []
    for _ in range(MAX_LOOKS):
        room = free - len(chosen)
        taken = {*exclude, *chosen}
        found = [d for d in uow.deliveries.due(now, room + len(taken), skip) if d[0] not in taken] if room > 0 else []
        if not found:
            break
        unit_of = dict(found)
        picked = deal(found, held, capacity, room)
        chosen += picked
        held.update(unit_of[i] for i in picked)
        full = full_units(held, capacity, len(set(held) | set(unit_of.values()))) - skip
        if not full:  # nobody was held back: this look was fair already
            break
        skip |= full
    return chosen


def claim_due(
    uow: UnitOfWork, candidates: Sequence[int], now: datetime, token: str, lease: timedelta = LEASE
) -> Sequence[DeliveryJob]:
    """Lease those `candidates` that are still sendable to the claimant `token`; return what to send.

    A retry that comes due only after the delivery's seven days (nothing could send it in time) is
    not sent: the delivery is DEAD, and its successors go on without it (`is_overdue`).
    """
    jobs = uow.deliveries.claim(candidates, now, now + lease, token)
    late = {job.id for job in jobs if job.created_at and job.due_at and is_overdue(job.created_at, job.due_at, now)}
    for job in jobs:
        if job.id in late:
            _drop(uow, job, now)
    return [job for job in jobs if job.id not in late]


def _drop(uow: UnitOfWork, job: DeliveryJob, now: datetime) -> None:
    delivery = uow.deliveries.claimed(job.id, job.claim_token)
    assert delivery is not None, "claimed in this very transaction"
    dead = after_attempt(delivery, Trigger.EXHAUSTED, now)
    uow.deliveries.record(dead, Attempt(job.id, job.attempt, Trigger.EXHAUSTED, now, now, None, 0, NOT_SENT))
    uow.deliveries.release_successors(dead, now)


def _attempt(result: AttemptResult, outcome: Trigger, now: datetime) -> Attempt:
    return Attempt(result.job.id, result.job.attempt, outcome, result.sent_at, now, result.response_code,
                   result.latency_ms, result.error)


def record_attempt(uow: UnitOfWork, result: AttemptResult, now: datetime) -> Delivery | None:
    """Apply one attempt's outcome and log it; return the delivery as it now stands.

    If the claim was lost meanwhile (its lease ran out and another worker took over, or the
    registration was deleted), the attempt is logged but its outcome is not applied: it is no
    longer this worker's to decide. Then None is returned.
    """
    delivery = uow.deliveries.claimed(result.job.id, result.job.claim_token)
    if delivery is None or delivery.state in FINAL_STATES:
        outcome = Trigger.ACCEPTED if result.accepted else Trigger.REFUSED
        uow.deliveries.log_attempt(_attempt(result, outcome, now))
        return None
    outcome = outcome_of(delivery, result.accepted, now)
    moved = after_attempt(delivery, outcome, now)
    uow.deliveries.record(moved, _attempt(result, outcome, now))
    # Held deliveries cannot go before this one, so their due time follows its retry: finding due work
    # then never has to step over them (a receiver down at a busy time leaves many). The ordering
    # rule is still checked on claim; this only keeps the due index short.
    if moved.state in FINAL_STATES:
        uow.deliveries.release_successors(moved, now)
    else:
        uow.deliveries.hold_successors(moved, moved.next_attempt_at)
    return moved


def record_attempts(uow: UnitOfWork, results: Iterable[AttemptResult], now: datetime) -> int:
    """Apply a batch of attempt outcomes in one transaction; return how many were applied."""
    return sum(record_attempt(uow, result, now) is not None for result in results)


def redeliver_now(uow: UnitOfWork, delivery_id: int, now: datetime) -> Delivery:
    """Queue a delivery to be attempted again at once, whatever its state (a manual resend).

    Raises:
        DeliveryNotFoundError: no delivery has this id.
        DeliveryTransitionError: it was discarded with its registration.
    """
    delivery = uow.deliveries.get(delivery_id)
    if delivery is None:
        raise DeliveryNotFoundError(delivery_id)
    queued = redeliver(delivery, now)
    uow.deliveries.update(queued)
    return queued
