"""A ledger per sales unit, its two reported topics (`funds`, `fees`) and their append-only entries.

Report API contract §2: every entry moves one topic's balance, `balanceAfter = balanceBefore + amount`,
and each entry's `balanceBefore` is the previous entry's `balanceAfter` on that topic. Entries are never
changed; a fix is a new `correction`. Positions count a topic's entries from 1 and order the feed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum

from kasse.domain.ledger_date import ONE_DAY
from kasse.domain.money import CURRENCY_OF_MARKET, Currency, Market
from kasse.domain.settlement_terms import SettlementTerms


class Topic(StrEnum):
    """The two accounts of a ledger the Report API shows."""

    FUNDS = "funds"  # the merchant's money held by Vipps MobilePay: captures raise it, payouts empty it
    FEES = "fees"  # the merchant's fee debt, negative while fees are owed


class EntryType(StrEnum):
    """What moved a balance (contract §2.3); the wire names never change."""

    CAPTURE = "capture"  # funds +: money taken from a customer
    REFUND = "refund"  # funds −: money given back
    CAPTURE_FEE = "capture-fee"  # fees −: the fee of one capture, same pspReference and reference
    FEES_RETAINED = "fees-retained"  # net settlement: funds − and fees + by the same amount at a date's close
    FEES_INVOICED = "fees-invoiced"  # gross settlement: fees + once a month, nothing on funds
    PAYOUT_SCHEDULED = "payout-scheduled"  # funds −: the balance leaves for the bank; the last entry of its date
    PAYOUT_ABORTED = "payout-aborted"  # funds +: a payout the bank could not take comes back
    CORRECTION = "correction"  # either topic ±: a manual fix, appended, never rewriting an entry
    RETAINED_DISPUTED_CAPTURE = "retained-disputed-capture"  # funds −: a capture the customer disputes is held back
    RETURNED_DISPUTED_CAPTURE = "returned-disputed-capture"  # funds +: the merchant won the dispute; money back
    TOP_UP = "top-up"  # funds +: the merchant paid in, after an invoice for a long negative balance
    CREDIT_NOTE = "credit-note"  # either topic ±: a credit against an earlier top-up invoice or fee invoice


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One entry of a topic, as the Report API reports it."""

    ledger_id: str
    topic: Topic
    position: int
    psp_reference: str
    time: datetime
    ledger_date: date
    entry_type: EntryType
    reference: str | None
    currency: Currency
    amount: int
    balance_before: int
    recipient_handle: str | None

    @property
    def balance_after(self) -> int:
        """Return the topic's balance after this entry."""
        return self.balance_before + self.amount

    def to_wire(self) -> dict[str, object]:
        """Return the contract's entry object (§1.5): `time` in UTC with six decimals and a `Z`."""
        return {
            "pspReference": self.psp_reference,
            "time": self.time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "ledgerDate": self.ledger_date.isoformat(),
            "entryType": self.entry_type.value,
            "reference": self.reference,
            "currency": self.currency.value,
            "amount": self.amount,
            "balanceBefore": self.balance_before,
            "balanceAfter": self.balance_after,
            "recipientHandle": self.recipient_handle,
        }


@dataclass(frozen=True, slots=True)
class TopicState:
    """Where a topic stands: its balance and the position of its last entry (0: none yet)."""

    balance: int = 0
    position: int = 0


@dataclass(frozen=True, slots=True)
class Ledger:
    """One sales unit's ledger: its terms, the two topics' state, the last closed date and the payouts so far."""

    ledger_id: str
    msn: str
    market: Market
    terms: SettlementTerms
    last_closed: date  # every date up to this one is closed; the next one is open
    funds: TopicState = TopicState()
    fees: TopicState = TopicState()
    payouts: int = 0  # payout numbers run 1, 2, 3 … per ledger

    @property
    def currency(self) -> Currency:
        """Return the ledger's currency, the sales unit's."""
        return CURRENCY_OF_MARKET[self.market]

    @property
    def recipient_handle(self) -> str:
        """Return the handle the ledger settles for: `api:<msn>` for an ePayment sales unit (contract §6 Q8)."""
        return f"api:{self.msn}"

    @property
    def first_open(self) -> date:
        """Return the earliest date entries may still be written on."""
        return self.last_closed + ONE_DAY

    def state(self, topic: Topic) -> TopicState:
        """Return one topic's state."""
        return self.funds if topic is Topic.FUNDS else self.fees


@dataclass(frozen=True, slots=True)
class Movement:
    """What one new entry says, before the ledger gives it a position and balances."""

    topic: Topic
    entry_type: EntryType
    amount: int
    psp_reference: str
    time: datetime
    ledger_date: date
    reference: str | None = None
    recipient_handle: str | None = None


def post(ledger: Ledger, movement: Movement) -> tuple[Ledger, LedgerEntry]:
    """Append one movement to its topic; return the moved ledger and the entry, balances chained."""
    state = ledger.state(movement.topic)
    entry = LedgerEntry(
        ledger_id=ledger.ledger_id,
        topic=movement.topic,
        position=state.position + 1,
        psp_reference=movement.psp_reference,
        time=movement.time,
        ledger_date=movement.ledger_date,
        entry_type=movement.entry_type,
        reference=movement.reference,
        currency=ledger.currency,
        amount=movement.amount,
        balance_before=state.balance,
        recipient_handle=movement.recipient_handle,
    )
    moved = TopicState(entry.balance_after, entry.position)
    if movement.topic is Topic.FUNDS:
        return replace(ledger, funds=moved), entry
    return replace(ledger, fees=moved), entry


def post_all(ledger: Ledger, movements: list[Movement]) -> tuple[Ledger, list[LedgerEntry]]:
    """Append movements in order; return the moved ledger and the entries."""
    entries = []
    for movement in movements:
        ledger, entry = post(ledger, movement)
        entries.append(entry)
    return ledger, entries
