"""What the Report API answers (settlement reporting): ledgers, their entries, a date's report, a feed page.

Entry types are plain strings: the API adds new ones without warning, and code must still book them by
their `amount`; `EntryType` names the known ones for comparisons (`entry.entry_type == EntryType.CAPTURE`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class EntryType(StrEnum):
    """The entry types the Report API documents; compare `LedgerEntry.entry_type` with them."""

    CAPTURE = "capture"  # funds +: a capture
    REFUND = "refund"  # funds −: a refund
    CAPTURE_FEE = "capture-fee"  # fees −: a capture's fee, with the capture's pspReference
    FEES_RETAINED = "fees-retained"  # net settlement: the day's fees moved from funds to fees
    FEES_INVOICED = "fees-invoiced"  # gross settlement: the month's fees invoiced
    PAYOUT_SCHEDULED = "payout-scheduled"  # funds −: the balance sent to the bank
    SCHEDULED_FOR_PAYOUT = "scheduled-for-payout"  # the spec's name for payout-scheduled (some servers use it)
    PAYOUT_ABORTED = "payout-aborted"  # funds +: a payout that came back
    CORRECTION = "correction"  # either topic ±: a manual fix
    RETAINED_DISPUTED_CAPTURE = "retained-disputed-capture"  # funds −: a disputed capture held back
    RETURNED_DISPUTED_CAPTURE = "returned-disputed-capture"  # funds +: the merchant won the dispute
    TOP_UP = "top-up"  # funds +: the merchant paid in after a long negative balance
    CREDIT_NOTE = "credit-note"  # either topic ±: a credit against an earlier invoice


class Topic(StrEnum):
    """A ledger's two reported accounts."""

    FUNDS = "funds"  # the merchant's money held for payout
    FEES = "fees"  # the merchant's fee debt


@dataclass(frozen=True, slots=True, kw_only=True)
class BankAccount:
    """Where payouts go: `scheme` such as `BBAN:NO`, `id` the account number."""

    scheme: str
    id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Organization:
    """The ledger's owner: `scheme` such as `business:NO:ORG`, `id` the organisation number."""

    scheme: str
    id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SalesUnit:
    """A sales unit a ledger settles for."""

    name: str
    recipient_handle: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Ledger:
    """A ledger: one sales unit's settlement account (`GET /settlement/v1/ledgers`)."""

    ledger_id: str
    currency: str | None = None
    payout_bank_account: BankAccount | None = None
    owner: Organization | None = None
    settles_for_recipient_handles: tuple[str, ...] = ()
    sales_units: tuple[SalesUnit, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerEntry:
    """One entry of a `funds` or `fees` report; `amount` is signed, in minor units."""

    psp_reference: str
    time: datetime
    ledger_date: date
    entry_type: str
    currency: str
    amount: int
    balance_before: int
    balance_after: int
    reference: str | None = None
    recipient_handle: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DateReport:
    """A ledger date's complete report of one topic, every page followed; `try_later` while the date is open."""

    ledger_id: str
    topic: str
    ledger_date: date
    entries: tuple[LedgerEntry, ...] = ()
    try_later: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedPage:
    """One call of the feed: the entries after the cursor sent, and the cursor to send next."""

    entries: tuple[LedgerEntry, ...]
    cursor: str
    try_later: bool = False
