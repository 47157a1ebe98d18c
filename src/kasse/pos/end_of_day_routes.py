"""The end-of-day page, its CSV export and its JSON: `/pos/end-of-day?date=YYYY-MM-DD`.

Kept apart from the till's routes so that staff sign-in can guard them as one router (a manager's page).
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from kasse.pos.day_totals import DayTotals
from kasse.pos.end_of_day import (
    ZONES,
    DateNotClosedError,
    EndOfDay,
    EndOfDayError,
    default_day,
    end_of_day,
)
from kasse.pos.end_of_day_export import csv_rows, day_lines, write_csv
from kasse.pos.views import pos, render

router = APIRouter(prefix="/pos", include_in_schema=False)
BAD_DATE = "Use a date such as 2026-03-02 (YYYY-MM-DD)."


class BadDateError(ValueError):
    """The `date` query parameter is not a calendar date."""


def chosen_day(request: Request) -> date:
    """The `date` asked for, or the date of the POS's latest capture or refund."""
    service = pos(request)
    typed = request.query_params.get("date")
    if typed:
        try:
            return date.fromisoformat(typed.strip())
        except ValueError:
            raise BadDateError(BAD_DATE) from None
    zone = ZoneInfo(ZONES.get(service.config.currency, "Europe/Oslo"))
    return default_day(service.store, zone, datetime.fromtimestamp(service.now(), UTC).astimezone(zone).date())


async def made(request: Request, day: date) -> EndOfDay:
    service = pos(request)
    return await end_of_day(service.reports, service.client, service.store, day, service.config.base_url)


def status_of(err: EndOfDayError) -> int:
    return 503 if isinstance(err, DateNotClosedError) else 502


def page(request: Request, status: int, **context: Any) -> Response:
    response = render(request, "end_of_day.html", tab="end-of-day", shop=pos(request).config.shop_name, **context)
    response.status_code = status
    return response


@router.get("/end-of-day")
async def end_of_day_page(request: Request) -> Response:
    try:
        day = chosen_day(request)
    except BadDateError as err:
        return page(request, 400, day=None, error=str(err))
    around: dict[str, Any] = {"day": day, "previous": day - timedelta(days=1), "next": day + timedelta(days=1)}
    try:
        eod = await made(request, day)
    except DateNotClosedError as err:
        return page(request, 200, **around, notice=str(err))
    except EndOfDayError as err:
        return page(request, 502, **around, error=str(err))
    return page(request, 200, **around, eod=eod, totals=eod.totals, lines=day_lines(eod))


@router.get("/end-of-day/{day}")
async def end_of_day_dated(day: str) -> Response:
    """`/pos/end-of-day/2026-03-02` is the page of that date too."""
    return RedirectResponse(f"/pos/end-of-day?{urlencode({'date': day})}", status_code=307)


@router.get("/end-of-day.csv")
async def end_of_day_csv(request: Request) -> Response:
    try:
        day = chosen_day(request)
        eod = await made(request, day)
    except BadDateError as err:
        return Response(str(err), status_code=400, media_type="text/plain")
    except EndOfDayError as err:
        return Response(str(err), status_code=status_of(err), media_type="text/plain")
    out = io.StringIO()
    write_csv(eod, out)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="end-of-day-{day.isoformat()}.csv"'})


def totals_json(t: DayTotals) -> dict[str, Any]:
    return {"captured": t.captured, "refunded": t.refunded, "netSales": t.net_sales, "captureFees": t.capture_fees,
            "feesRetained": t.fees_retained, "openingBalance": t.opening_balance, "closingBalance": t.closing_balance,
            "payout": t.payout, "expectedPayout": t.expected_payout,
            "payouts": [{"pspReference": p.psp_reference, "reference": p.reference, "amount": p.amount}
                        for p in t.payouts],
            "scenarios": [{"method": s.method, "captures": s.captures, "captured": s.captured, "refunds": s.refunds,
                           "refunded": s.refunded, "net": s.net} for s in t.scenarios],
            "vat": [{"rate": v.rate, "gross": v.gross, "vat": v.vat} for v in t.vat]}


@router.get("/api/end-of-day")
async def end_of_day_json(request: Request) -> Response:
    try:
        day = chosen_day(request)
        eod = await made(request, day)
    except BadDateError as err:
        return JSONResponse({"message": str(err)}, status_code=400)
    except EndOfDayError as err:
        return JSONResponse({"message": str(err), "tryLater": isinstance(err, DateNotClosedError)},
                            status_code=status_of(err))
    rows = list(csv_rows(eod))
    return JSONResponse({"date": day.isoformat(), "ledgerId": eod.ledger.ledger_id, "currency": eod.ledger.currency,
                         "matched": len(eod.match.matched), "differences": [r for r in rows if r["detail"]],
                         "lines": rows, "totals": totals_json(eod.totals)})
