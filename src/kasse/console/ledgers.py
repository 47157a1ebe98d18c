"""`/console/ledgers`: each sales unit's ledger (Report API), its entries per date with their balances, payouts.

Read only: entries are written by captures, refunds and the closing of dates on kasse's clock, so the page's
one action is a shortcut to move that clock a day (the Time page's use case), which closes the open date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from kasse.adapters.business_days import bank_date
from kasse.console.form_posts import notice_of
from kasse.console.views import console_container, render
from kasse.domain.ledger import Ledger, LedgerEntry, Topic
from kasse.domain.ledger_closing import Payout
from kasse.domain.ledger_date import close_of
from kasse.domain.settlement_terms import pays_out_on
from kasse.services.ports import UnitOfWork
from kasse.services.reports import ReportInputError, parse_date

router = APIRouter(include_in_schema=False)
PAGE = "/console/ledgers"
SHOWN = 500  # newest entries per topic on a ledger's page when no date is chosen
MAX_ENTRIES = 1000  # entries per topic of one chosen date
LOOK_AHEAD = 31  # days to look for the next payout date (monthly payouts)


@dataclass(frozen=True, slots=True)
class LedgerView:
    """A ledger with what the list shows beside its balances: its sales unit's name and the next payout."""

    ledger: Ledger
    name: str
    next_payout: date | None
    closes_at: datetime


def _next_payout(ledger: Ledger) -> date | None:
    first = ledger.first_open
    return next((d for d in (first + timedelta(days=n) for n in range(LOOK_AHEAD))
                 if pays_out_on(d, ledger.terms.frequency)), None)


def _views(uow: UnitOfWork) -> list[LedgerView]:
    names = {m.msn: m.name for m in uow.merchants.list()}
    return [LedgerView(ledger, names.get(ledger.msn, ""), _next_payout(ledger),
                       close_of(ledger.first_open, ledger.market))
            for ledger in uow.ledgers.list(after=None, limit=10_000)]


@router.get(PAGE)
async def ledgers_page(request: Request) -> Response:
    """Every ledger with its balances, dates and next payout."""
    c = console_container(request)
    views = await c.db.query(_views)
    return render(request, "ledgers.html", "ledgers", notice=notice_of(request), views=views, now=c.clock.now())


def _by_date(entries: list[LedgerEntry]) -> list[tuple[date, list[LedgerEntry]]]:
    ordered = sorted(entries, key=lambda e: (e.ledger_date, e.topic.value, e.position), reverse=True)
    return [(day, list(items)) for day, items in groupby(ordered, key=lambda e: e.ledger_date)]


def _entries(uow: UnitOfWork, ledger: Ledger, day: date | None) -> list[LedgerEntry]:
    found: list[LedgerEntry] = []
    for topic in Topic:
        if day is not None:
            found += uow.ledgers.entries(ledger.ledger_id, topic, after=0, limit=MAX_ENTRIES, ledger_date=day)
        else:
            after = max(0, ledger.state(topic).position - SHOWN)
            found += uow.ledgers.entries(ledger.ledger_id, topic, after=after, limit=SHOWN)
    return found


@router.get(PAGE + "/{ledger_id}")
async def ledger_page(request: Request, ledger_id: str) -> Response:
    """One ledger: its entries by date (funds and fees, each with its balance before and after) and payouts."""
    c = console_container(request)
    raw_date = request.query_params.get("date") or ""
    try:
        day = parse_date(raw_date) if raw_date else None
    except ReportInputError:
        views = await c.db.query(_views)
        return render(request, "ledgers.html", "ledgers", status=400, views=views, now=c.clock.now(),
                      error=f"date must be a date like 2026-12-24, not {raw_date[:20]!r}")

    def read(uow: UnitOfWork) -> tuple[Ledger, list[LedgerEntry], list[Payout]] | None:
        ledger = uow.ledgers.get(ledger_id[:16])
        if ledger is None:
            return None
        return ledger, _entries(uow, ledger, day), list(uow.ledgers.payouts(ledger.ledger_id))

    found = await c.db.query(read)
    if found is None:
        views = await c.db.query(_views)
        return render(request, "ledgers.html", "ledgers", status=404, views=views, now=c.clock.now(),
                      error=f"No ledger {ledger_id[:16]}.")
    ledger, entries, payouts = found
    banked = {p.number: bank_date(p.ledger_date, p.delay_days, ledger.market) for p in payouts}
    return render(request, "ledger.html", "ledgers", ledger=ledger, days=_by_date(entries), day=day,
                  payouts=list(reversed(payouts)), banked=banked, shown=SHOWN, now=c.clock.now(),
                  closes_at=close_of(ledger.first_open, ledger.market))
