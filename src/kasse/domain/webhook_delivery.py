"""A webhook delivery's lifecycle, its retry schedule and its ordering rule, as data (contract §8.3).

A delivery stays PENDING until the receiver answers 2xx (DELIVERED) or retries run out seven days
after the delivery was created (DEAD). Within one registration, the deliveries of one payment go
out in the order they were created: a later one is held while an earlier one is still PENDING.
Times are arguments; nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


class DeliveryState(StrEnum):
    """Where a delivery is in its lifecycle."""

    PENDING = "PENDING"  # waiting for its first or next attempt
    DELIVERED = "DELIVERED"  # the receiver answered 2xx; it will not be sent again unless redelivered
    DEAD = "DEAD"  # refused or unanswered for seven days; dropped (contract §8.3)
    DISCARDED = "DISCARDED"  # its registration was deleted first, so there is nowhere to send it


class Trigger(StrEnum):
    """What can happen to a delivery."""

    ACCEPTED = "ACCEPTED"  # the receiver answered 2xx
    REFUSED = "REFUSED"  # any other answer, or none within the timeout; a retry is still in the window
    EXHAUSTED = "EXHAUSTED"  # refused, and the next retry would fall outside the seven days
    REDELIVER = "REDELIVER"  # an operator asked for it to be sent again now
    DISCARD = "DISCARD"  # its registration was deleted


S, T = DeliveryState, Trigger

TRANSITIONS: dict[tuple[DeliveryState, Trigger], DeliveryState] = {
    (S.PENDING, T.ACCEPTED): S.DELIVERED,
    (S.PENDING, T.REFUSED): S.PENDING,
    (S.PENDING, T.EXHAUSTED): S.DEAD,
    (S.PENDING, T.REDELIVER): S.PENDING,
    (S.PENDING, T.DISCARD): S.DISCARDED,
    (S.DELIVERED, T.REDELIVER): S.PENDING,
    (S.DEAD, T.REDELIVER): S.PENDING,
}

# A delivery in one of these no longer holds back later deliveries of its payment.
FINAL_STATES = frozenset({S.DELIVERED, S.DEAD, S.DISCARDED})

# After n failed attempts, wait this long before the next: four retries 2 s apart, then 60 s, 120 s,
# then hourly through attempt 29, then daily (contract §8.3, from the toolkit's description).
RETRY_SCHEDULE: tuple[tuple[int, timedelta], ...] = (
    (4, timedelta(seconds=2)),
    (5, timedelta(seconds=60)),
    (6, timedelta(seconds=120)),
    (28, timedelta(hours=1)),
)
AFTER_SCHEDULE = timedelta(days=1)
RETRY_WINDOW = timedelta(days=7)  # contract §8.3: retried for up to 7 days, then dropped


class DeliveryTransitionError(ValueError):
    """The lifecycle table has no such move (e.g. redelivering a delivery whose registration is gone)."""

    def __init__(self, state: DeliveryState, trigger: Trigger) -> None:
        super().__init__(f"a {state.value} delivery cannot take {trigger.value}")
        self.state = state
        self.trigger = trigger


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event on its way to one registration."""

    id: int
    webhook_id: str
    msn: str
    reference: str | None  # None for events that belong to no payment (user.checked-in.v1)
    event_type: str
    state: DeliveryState
    attempts: int
    created_at: datetime
    next_attempt_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    """A claimed delivery, with what the sender needs to make one attempt."""

    id: int
    claim_token: str
    url: str
    secret: str
    payload: bytes
    attempt: int  # the number this attempt will have, from 1
    msn: str = ""  # the sales unit whose registration it goes to: test faults are armed per sales unit
    reference: str | None = None  # the payment it reports; None for events of no payment
    created_at: datetime | None = None  # when the delivery was queued: its seven days count from then
    due_at: datetime | None = None  # the next_attempt_at it was claimed for


@dataclass(frozen=True, slots=True)
class Attempt:
    """The record of one attempt: when it was sent, how the receiver answered, how long it took."""

    delivery_id: int
    number: int
    outcome: Trigger
    sent_at: datetime
    recorded_at: datetime
    response_code: int | None
    latency_ms: int
    error: str | None


def move(state: DeliveryState, trigger: Trigger) -> DeliveryState:
    """Look up where `trigger` takes a delivery in `state`.

    Raises:
        DeliveryTransitionError: the table has no such move.
    """
    found = TRANSITIONS.get((state, trigger))
    if found is None:
        raise DeliveryTransitionError(state, trigger)
    return found


def retry_delay(attempts_made: int) -> timedelta:
    """Return how long to wait after `attempts_made` failed attempts before the next one."""
    for up_to, delay in RETRY_SCHEDULE:
        if attempts_made <= up_to:
            return delay
    return AFTER_SCHEDULE


def is_overdue(created_at: datetime, due_at: datetime, now: datetime) -> bool:
    """Tell whether a retry the schedule put inside the seven days would go out after them.

    That happens when nothing could send it in time (the process was down, or the clock moved on):
    it is then dropped unsent (contract §8.3). A redelivery is due when it was asked for, so an
    operator's resend after the window is not overdue.
    """
    window_end = created_at + RETRY_WINDOW
    return due_at <= window_end < now


def is_accepted(response_code: int | None) -> bool:
    """Tell whether an answer counts as delivered: any 2xx; no answer, 3xx, 4xx and 5xx do not."""
    return response_code is not None and 200 <= response_code < 300


def outcome_of(delivery: Delivery, accepted: bool, now: datetime) -> Trigger:
    """Classify an attempt that ended at `now`: accepted, refused with a retry left, or exhausted."""
    if accepted:
        return T.ACCEPTED
    next_at = now + retry_delay(delivery.attempts + 1)
    return T.REFUSED if next_at <= delivery.created_at + RETRY_WINDOW else T.EXHAUSTED


def after_attempt(delivery: Delivery, outcome: Trigger, now: datetime) -> Delivery:
    """Return the delivery after an attempt with this outcome ended at `now`, next retry scheduled."""
    attempts = delivery.attempts + 1
    state = move(delivery.state, outcome)
    next_at = now + retry_delay(attempts) if state is S.PENDING else delivery.next_attempt_at
    return replace(delivery, state=state, attempts=attempts, next_attempt_at=next_at)


def redeliver(delivery: Delivery, now: datetime) -> Delivery:
    """Return the delivery queued to be sent again at once.

    A redelivery is one more attempt, not a new seven days: if it fails after the window, it is DEAD.

    Raises:
        DeliveryTransitionError: the delivery was discarded with its registration.
    """
    return replace(delivery, state=move(delivery.state, T.REDELIVER), next_attempt_at=now)


def discard(delivery: Delivery) -> Delivery:
    """Return the delivery given up because its registration was deleted.

    Raises:
        DeliveryTransitionError: the delivery is no longer pending.
    """
    return replace(delivery, state=move(delivery.state, T.DISCARD))


def same_queue(a: Delivery, b: Delivery) -> bool:
    """Tell whether two deliveries must keep their order: same registration, same payment."""
    return a.reference is not None and (a.webhook_id, a.msn, a.reference) == (b.webhook_id, b.msn, b.reference)


def is_held(delivery: Delivery, others: Iterable[Delivery]) -> bool:
    """Tell whether an earlier delivery of the same payment to the same registration is still pending."""
    return any(o.id < delivery.id and o.state not in FINAL_STATES and same_queue(delivery, o) for o in others)


def is_sendable(delivery: Delivery, others: Iterable[Delivery], now: datetime) -> bool:
    """Tell whether a delivery may be attempted now: pending, due, and not held behind an earlier one."""
    return delivery.state is S.PENDING and delivery.next_attempt_at <= now and not is_held(delivery, others)
