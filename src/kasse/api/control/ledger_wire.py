"""Ledgers as the test control plane shows them (`/_kasse/ledgers`): state, terms, payouts, entries, closings."""

from __future__ import annotations

from datetime import date
from typing import Any

from kasse.adapters.business_days import bank_date
from kasse.domain.ledger import Ledger, LedgerEntry
from kasse.domain.ledger_closing import Payout
from kasse.domain.timefmt import rfc3339
from kasse.services.ledger_closing import ClosedDate


def terms_wire(ledger: Ledger) -> dict[str, Any]:
    t = ledger.terms
    return {"msn": ledger.msn, "ledgerId": ledger.ledger_id, "feePercent": t.fee_percent, "feeFixed": t.fee_fixed,
            "settlement": t.mode.value, "payoutFrequency": t.frequency.value, "payoutDelayDays": t.payout_delay_days}


def ledger_state_wire(ledger: Ledger) -> dict[str, Any]:
    return {"ledgerId": ledger.ledger_id, "msn": ledger.msn, "market": ledger.market.value,
            "currency": ledger.currency.value, "recipientHandle": ledger.recipient_handle,
            "fundsBalance": ledger.funds.balance, "feesBalance": ledger.fees.balance,
            "fundsEntries": ledger.funds.position, "feesEntries": ledger.fees.position,
            "lastClosedDate": ledger.last_closed.isoformat(), "openDate": ledger.first_open.isoformat(),
            "payouts": ledger.payouts, "terms": terms_wire(ledger)}


def payout_wire(ledger: Ledger, payout: Payout) -> dict[str, Any]:
    return {"pspReference": payout.psp_reference, "number": payout.number, "amount": payout.amount,
            "currency": ledger.currency.value, "ledgerDate": payout.ledger_date.isoformat(),
            "scheduledAt": rfc3339(payout.scheduled_at), "reference": payout.reference,
            "bankDate": bank_date(payout.ledger_date, payout.delay_days, ledger.market).isoformat(),
            "aborted": payout.aborted}


def entry_wire(entry: LedgerEntry) -> dict[str, Any]:
    return {"topic": entry.topic.value, "position": entry.position, **entry.to_wire()}


def closed_wire(closed: list[ClosedDate]) -> list[dict[str, Any]]:
    """Group closed dates by date: how many ledgers closed it, which, and the payouts it scheduled."""
    by_date: dict[date, list[ClosedDate]] = {}
    for item in closed:
        by_date.setdefault(item.ledger_date, []).append(item)
    return [{"ledgerDate": day.isoformat(), "ledgers": len(items), "ledgerIds": [i.ledger_id for i in items],
             "payouts": [{"ledgerId": i.ledger_id, "msn": i.msn, "pspReference": i.payout_id, "amount": i.payout,
                          "currency": i.currency} for i in items if i.payout is not None]}
            for day, items in sorted(by_date.items())]
