"""`/console/payments`: every sales unit's payments, newest first, filtered and paged by key.

The filters are the query string, so a filtered page is a link to share; bad values give the page again
with the error (400). The first page refreshes itself while visible (static/live.js); deeper pages hold still.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from kasse.console.views import console_container, render
from kasse.domain.payment_state import PaymentState
from kasse.services.read_models import PaymentFilter, PaymentKey

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
TEXT_MAX = 64  # a reference is at most 64 characters, a pspReference fewer


class BadFilterError(ValueError):
    """A filter or cursor the list cannot use; says which, for the page to show."""


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What the query string asks the list for."""

    where: PaymentFilter
    older_than: PaymentKey | None
    newer_than: PaymentKey | None


def encode_key(key: PaymentKey) -> str:
    """A page's key as a URL value: microseconds since 1970, sales unit and reference (references hold no '_')."""
    moment = key.created_at - datetime(1970, 1, 1, tzinfo=UTC)
    return f"{moment // timedelta(microseconds=1)}_{key.msn}_{key.reference}"


def decode_key(text: str, name: str) -> PaymentKey:
    """Read a page key written by `encode_key`; `name` is the parameter it came in, for the error."""
    us, _, rest = text.partition("_")
    msn, _, reference = rest.partition("_")
    if not (us.isdigit() and msn and reference and len(text) <= 128):
        raise BadFilterError(f"{name}: not a page of this list")
    return PaymentKey(datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(us)), msn, reference)


def _day(text: str, name: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    except ValueError:
        raise BadFilterError(f"{name}: a date is written YYYY-MM-DD") from None


def parse_query(q: QueryParams) -> ListQuery:
    """Read the list's filters and cursor from the query string.

    Raises:
        BadFilterError: a value the list cannot use, named.
    """
    state, text = q.get("state") or None, (q.get("q") or "").strip() or None
    if state is not None and state not in PaymentState.__members__:
        raise BadFilterError(f"state: one of {', '.join(PaymentState.__members__)}")
    if text is not None and len(text) > TEXT_MAX:
        raise BadFilterError(f"q: at most {TEXT_MAX} characters")
    msn = (q.get("msn") or "").strip() or None
    if msn is not None and not (msn.isdigit() and len(msn) <= 10):
        raise BadFilterError("msn: a Merchant-Serial-Number is up to 10 digits")
    since, until = _day(q.get("from") or "", "from"), _day(q.get("to") or "", "to")
    where = PaymentFilter(msn=msn, state=state, text=text, since=since,
                          until=until + timedelta(days=1) if until else None)
    older = decode_key(q["older"], "older") if q.get("older") else None
    newer = decode_key(q["newer"], "newer") if q.get("newer") else None
    return ListQuery(where, older, newer)


def _link(q: QueryParams, **cursor: str) -> str:
    kept = [(k, v) for k, v in q.multi_items() if k not in ("older", "newer") and v]
    params = QueryParams([*kept, *cursor.items()])
    return f"/console/payments?{params}" if str(params) else "/console/payments"


@router.get("/console/payments")
async def payments_page(request: Request) -> Response:
    """The list's page the query string asks for; 400 with the error for a filter it cannot use."""
    c = console_container(request)
    units = await c.db.query(lambda uow: uow.merchants.list())
    shown = {"msn": request.query_params.get("msn", ""), "state": request.query_params.get("state", ""),
             "q": request.query_params.get("q", ""), "from": request.query_params.get("from", ""),
             "to": request.query_params.get("to", "")}
    common: dict[str, Any] = {"units": units, "states": list(PaymentState.__members__), "shown": shown}
    try:
        query = parse_query(request.query_params)
    except BadFilterError as err:
        return render(request, "payments.html", "payments", status=400, error=str(err), payments=[], live=False,
                      newest_link=None, newer_link=None, older_link=None, **common)
    page = await c.db.query(lambda uow: uow.payment_list.page(query.where, older_than=query.older_than,
                                                              newer_than=query.newer_than, limit=PAGE_SIZE))
    q = request.query_params
    return render(
        request, "payments.html", "payments", payments=page.payments,
        live=query.older_than is None and query.newer_than is None, newest_link=_link(q),
        newer_link=_link(q, newer=encode_key(page.newer)) if page.newer else None,
        older_link=_link(q, older=encode_key(page.older)) if page.older else None,
        **common,
    )
