"""Closing a ledger date: net settlement, the payout, and what an armed fault adds (contract §2.5–§2.7).

At close(D) net settlement moves the unretained fees from funds to fees (`fees-retained` on both, one
pspReference); gross settlement invoices them on the month's last date (`fees-invoiced`). Then, on a
payout date with a positive funds balance, `payout-scheduled` empties it and is D's last funds entry.
A zero or negative balance is carried to the next date without a payout; one that has stayed negative for
`TOP_UP_AFTER_DATES` dates is invoiced, and the merchant's payment closes that date as a `top-up` (§2.7).
Closing is a pure step over the ledger's state: the caller closes each date once, in order, in one
transaction with its entries.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from kasse.domain.ledger import EntryType, Ledger, LedgerEntry, Movement, Topic, post_all
from kasse.domain.ledger_date import ONE_DAY, close_of
from kasse.domain.money import Market
from kasse.domain.settlement_terms import SettlementMode, is_month_end, pays_out_on

CORRECTION_AMOUNT = -100  # the `report.correction` fault's entry on funds: −1.00 in minor units
# contract §2.7: a balance negative "too long" (≈ 60 days) is invoiced; kasse books the merchant's payment as a
# `top-up` at the close of the 60th ledger date of the negative run (the date it went negative is the first)
TOP_UP_AFTER_DATES = 60


@dataclass(frozen=True, slots=True)
class Payout:
    """A scheduled payout: `<ledgerId>-<number>` on the ledger, sent to the bank `delay_days` business days later."""

    ledger_id: str
    number: int
    amount: int
    ledger_date: date
    scheduled_at: datetime
    delay_days: int
    reference: str
    aborted: bool = False

    @property
    def psp_reference(self) -> str:
        """Return the payout's id on the ledger (contract §2.6)."""
        return f"{self.ledger_id}-{self.number}"


@dataclass(frozen=True, slots=True)
class ClosingFaults:
    """Test faults that fire at this closing: a correction entry, and a payout the bank sends back."""

    correction: bool = False
    abort_payout: bool = False


@dataclass(frozen=True, slots=True)
class Closing:
    """The outcome of closing one date: the ledger after it, the entries written, and the payout if any."""

    ledger_date: date
    ledger: Ledger
    entries: list[LedgerEntry]
    payout: Payout | None


def _luhn(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10


def bank_text(ledger: Ledger, number: int, ledger_date: date) -> str:
    """Return the payout's text on the bank statement (contract §2.6), at most 35 characters."""
    if ledger.market is Market.NO:
        return f"Utb. {number} Vippsnr {ledger.msn}"
    digits = f"02{ledger.msn[-8:]:0>8}001{ledger_date:%d%m%y}"
    return f"{digits}{_luhn(digits)}"


def _fee_movements(ledger: Ledger, day: date, at: datetime, retain_id: str) -> list[Movement]:
    owed = ledger.fees.balance  # negative while fees are owed; positive if corrections left Vipps owing
    if owed == 0:
        return []
    if ledger.terms.mode is SettlementMode.NET:
        return [Movement(Topic.FUNDS, EntryType.FEES_RETAINED, owed, retain_id, at, day),
                Movement(Topic.FEES, EntryType.FEES_RETAINED, -owed, retain_id, at, day)]
    if is_month_end(day):
        return [Movement(Topic.FEES, EntryType.FEES_INVOICED, -owed, retain_id, at, day)]
    return []


def closing_id(ledger: Ledger, day: date, kind: str) -> str:
    """Return the pspReference of a closing entry: one per ledger, date and kind, the same on both topics."""
    return f"{kind}-{ledger.ledger_id}-{day:%Y%m%d}"


def top_up_date(negative_since: date) -> date:
    """Return the ledger date whose close books the `top-up` of a balance negative since `negative_since`."""
    return negative_since + (TOP_UP_AFTER_DATES - 1) * ONE_DAY


def still_negative_since(ledger: Ledger, negative_since: date | None, day: date) -> date | None:
    """Return since when the funds balance is negative after closing `day` (None: it is not)."""
    if ledger.funds.balance >= 0:
        return None
    return negative_since or day


def _top_up(ledger: Ledger, day: date, at: datetime, negative_since: date | None) -> list[Movement]:
    balance = ledger.funds.balance
    if balance >= 0 or negative_since is None or day < top_up_date(negative_since):
        return []
    return [Movement(Topic.FUNDS, EntryType.TOP_UP, -balance, closing_id(ledger, day, "top-up"), at, day)]


def close_date(ledger: Ledger, faults: ClosingFaults = ClosingFaults(), negative_since: date | None = None) -> Closing:
    """Close the ledger's first open date: write its closing entries and schedule its payout if due.

    `negative_since` is the ledger date since which the funds balance has been negative (None: it is not).
    """
    day = ledger.first_open
    at = close_of(day, ledger.market)
    retain_id = closing_id(ledger, day, "fees")
    correction_id = closing_id(ledger, day, "correction")
    movements: list[Movement] = []
    if faults.correction:
        movements.append(Movement(Topic.FUNDS, EntryType.CORRECTION, CORRECTION_AMOUNT, correction_id, at, day))
    ledger, entries = post_all(ledger, movements)
    ledger, fee_entries = post_all(ledger, _fee_movements(ledger, day, at, retain_id))
    entries += fee_entries
    ledger, top_up_entries = post_all(ledger, _top_up(ledger, day, at, negative_since))
    entries += top_up_entries
    payout = None
    balance = ledger.funds.balance
    if pays_out_on(day, ledger.terms.frequency) and balance > 0:
        number = ledger.payouts + 1
        payout = Payout(ledger.ledger_id, number, balance, day, at, ledger.terms.payout_delay_days,
                        bank_text(ledger, number, day), aborted=faults.abort_payout)
        out = [Movement(Topic.FUNDS, EntryType.PAYOUT_SCHEDULED, -balance, payout.psp_reference, at, day,
                        reference=payout.reference)]
        if faults.abort_payout:  # the bank sent it back: the money returns on the next date, as its first entry
            out.append(Movement(Topic.FUNDS, EntryType.PAYOUT_ABORTED, balance, payout.psp_reference, at,
                                day + ONE_DAY))
        ledger, payout_entries = post_all(replace(ledger, payouts=number), out)
        entries += payout_entries
    return Closing(day, replace(ledger, last_closed=day), entries, payout)
