"""Entries written between closings: a capture's dispute and its return, top-ups, credit notes and corrections.

Contract §2.3 and §4 no. 32: `retained-disputed-capture −A` and `returned-disputed-capture +A` carry the
disputed capture's pspReference and reference; the retain/return cycle may repeat, but a capture is held
back at most once at a time and never for more than was captured. `top-up` puts money on funds;
`credit-note` and `correction` move either topic either way. Nothing here changes an entry already written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from kasse.domain.ledger import EntryType, LedgerEntry, Movement, Topic

MAX_ADJUSTMENT = 100_000_000_000  # minor units (1,000,000,000.00): a typo guard that keeps balances far from int64

# the entry types a test action may write by hand, and the topics each may go on
MANUAL_TOPICS: dict[EntryType, frozenset[Topic]] = {
    EntryType.TOP_UP: frozenset({Topic.FUNDS}),
    EntryType.CREDIT_NOTE: frozenset({Topic.FUNDS, Topic.FEES}),
    EntryType.CORRECTION: frozenset({Topic.FUNDS, Topic.FEES}),
}


class Refusal(StrEnum):
    """Why an adjustment is refused, which decides the answer (400, 404 or 409)."""

    INVALID = "invalid"  # the input itself is wrong
    MISSING = "missing"  # no such capture on the ledger
    CONFLICT = "conflict"  # the capture's dispute state does not allow it


class AdjustmentError(ValueError):
    """An adjustment that cannot be written; `field` names the input at fault."""

    def __init__(self, field: str, message: str, refusal: Refusal = Refusal.INVALID) -> None:
        super().__init__(message)
        self.field = field
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A hand-written entry: its type, topic, signed amount and an optional reference (e.g. an invoice number)."""

    entry_type: EntryType
    topic: Topic
    amount: int
    reference: str | None = None

    def __post_init__(self) -> None:
        topics = MANUAL_TOPICS.get(self.entry_type)
        if topics is None:
            names = ", ".join(sorted(t.value for t in MANUAL_TOPICS))
            raise AdjustmentError("entryType", f"must be one of {names}")
        if self.topic not in topics:
            raise AdjustmentError("topic", f"a {self.entry_type.value} is written on funds")
        if self.amount == 0 or abs(self.amount) > MAX_ADJUSTMENT:
            raise AdjustmentError("amount", f"must be a signed amount in minor units, not 0, at most {MAX_ADJUSTMENT}")
        if self.entry_type is EntryType.TOP_UP and self.amount < 0:
            raise AdjustmentError("amount", "a top-up puts money in: it must be above 0")

    def movement(self, psp_reference: str, at: datetime, day: date) -> Movement:
        """Return the entry to post at `at` on ledger date `day`."""
        return Movement(self.topic, self.entry_type, self.amount, psp_reference, at, day, reference=self.reference)


def held_back(history: Sequence[LedgerEntry]) -> int:
    """Return how much of a capture a dispute holds back now (0: not under dispute), from its funds entries."""
    retained = sum(-e.amount for e in history if e.entry_type is EntryType.RETAINED_DISPUTED_CAPTURE)
    returned = sum(e.amount for e in history if e.entry_type is EntryType.RETURNED_DISPUTED_CAPTURE)
    return retained - returned


def _capture(history: Sequence[LedgerEntry]) -> LedgerEntry:
    capture = next((e for e in history if e.entry_type is EntryType.CAPTURE), None)
    if capture is None:
        raise AdjustmentError("pspReference", "no capture with this pspReference on the ledger", Refusal.MISSING)
    return capture


def retain_disputed(history: Sequence[LedgerEntry], amount: int | None, at: datetime, day: date) -> Movement:
    """Return the `retained-disputed-capture` of a capture, given its funds entries (all of its pspReference).

    Raises:
        AdjustmentError: no such capture, already under dispute, or an amount above what was captured.
    """
    capture = _capture(history)
    if held_back(history):
        raise AdjustmentError("pspReference", "the capture is under dispute already", Refusal.CONFLICT)
    amount = capture.amount if amount is None else amount
    if not 0 < amount <= capture.amount:
        raise AdjustmentError("amount", f"from 1 to the captured amount, {capture.amount}")
    return Movement(Topic.FUNDS, EntryType.RETAINED_DISPUTED_CAPTURE, -amount, capture.psp_reference, at, day,
                    reference=capture.reference, recipient_handle=capture.recipient_handle)


def return_disputed(history: Sequence[LedgerEntry], at: datetime, day: date) -> Movement:
    """Return the `returned-disputed-capture` giving back what the capture's open dispute holds.

    Raises:
        AdjustmentError: no such capture, or the capture is not under dispute.
    """
    capture = _capture(history)
    held = held_back(history)
    if not held:
        raise AdjustmentError("pspReference", "the capture is not under dispute", Refusal.CONFLICT)
    return Movement(Topic.FUNDS, EntryType.RETURNED_DISPUTED_CAPTURE, held, capture.psp_reference, at, day,
                    reference=capture.reference, recipient_handle=capture.recipient_handle)
