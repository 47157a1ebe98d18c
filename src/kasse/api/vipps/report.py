"""Report API 2.0 (Report API contract §1): ledgers, a date's `funds`/`fees` report, the feed; v1 is gone (410).

Merchant keys (a token from `/accesstoken/get`, plus the subscription key) see their sales unit's ledger;
an accounting partner's token (`/miami/v1/token`) sees the ledgers granted to it. Every other ledger id is
answered as unknown. Report faults (docs/faults.md) act here: `report.lag` and `report.date-open`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.context import container
from kasse.api.problems import problem_response
from kasse.api.responses import json_response
from kasse.api.vipps.report_wire import (
    ReportAuthError,
    bad_input,
    ledger_wire,
    no_such_ledger,
    page_wire,
    unauthorized,
)
from kasse.container import Container
from kasse.domain.access_token import InvalidTokenError, PartnerClaims, key_hash
from kasse.domain.faults import FaultKind
from kasse.domain.ledger import Ledger
from kasse.services.ports import UnitOfWork
from kasse.services.reports import (
    LedgerNotFoundError,
    ReportInputError,
    Viewer,
    date_report,
    feed,
    list_ledgers,
    parse_date,
    parse_topic,
    visible_ledger,
)

router = APIRouter(tags=["Report API"])

_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_OBJECT = {"application/json": {"schema": {"type": "object"}}}
# the Report API's own error shapes (contract §1.6): 400 {errorCode, errorMessage, contextId}, 401 {code, message}
RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"description": "Malformed date, unknown topic or foreign cursor (errorCode 10002)", "content": _OBJECT},
    401: {"description": "Missing, malformed or expired token, or no subscription key", "content": _OBJECT},
}
GONE: dict[int | str, dict[str, object]] = {410: {"description": "Removed in May 2024", "content": _PROBLEM}}


def viewer_of(request: Request, c: Container) -> Viewer:
    auth = request.headers.get("authorization", "")
    if not auth.startswith("Bearer "):
        raise ReportAuthError("Please check your API keys: 'Authorization: Bearer <token>' is required")
    try:
        claims = c.tokens.verify_report(auth[7:].strip(), c.clock.now())
    except InvalidTokenError as exc:
        raise ReportAuthError(f"Please check your API keys: invalid access token ({exc})") from None
    if isinstance(claims, PartnerClaims):  # accounting keys need no subscription key (contract §1.1)
        return Viewer(partner_id=claims.partner_id)
    key = request.headers.get("ocp-apim-subscription-key")
    if not key or key_hash(key) not in claims.key_hashes:
        raise ReportAuthError("Please check your API keys: the sales unit's Ocp-Apim-Subscription-Key is required")
    msn = request.headers.get("merchant-serial-number")
    if msn is not None and msn != claims.msn:
        raise ReportAuthError("Please check your API keys: Merchant-Serial-Number is not the token's sales unit")
    return Viewer(msn=claims.msn)


def answer(request: Request, read: Callable[[UnitOfWork, Viewer], dict[str, object]]) -> Response:
    c = container(request)
    try:
        viewer = viewer_of(request, c)
        return json_response(c.db.read(lambda uow: read(uow, viewer)))
    except ReportAuthError as exc:
        return unauthorized(str(exc))
    except ReportInputError as exc:
        return bad_input(exc.field, str(exc))
    except LedgerNotFoundError:
        return no_such_ledger(request.url.path)


@router.get("/settlement/v1/ledgers", responses=RESPONSES)
async def get_ledgers(request: Request) -> Response:
    params = request.query_params

    def read(uow: UnitOfWork, viewer: Viewer) -> dict[str, object]:
        found, cursor = list_ledgers(uow, viewer, params.get("settlesForRecipientHandles"), params.get("cursor"))
        names = {ledger.msn: (m.name if (m := uow.merchants.get(ledger.msn)) else "") for ledger in found}
        return {"items": [ledger_wire(ledger, names[ledger.msn]) for ledger in found], "cursor": cursor}

    return answer(request, read)


def _lag(c: Container, ledger: Ledger) -> timedelta:
    fault = c.faults.take(ledger.msn, [FaultKind.REPORT_LAG])
    return timedelta(seconds=fault.delay_seconds or 0) if fault else timedelta(0)


@router.get("/report/v2/ledgers/{ledger_id}/{topic}/dates/{ledger_date}", responses=RESPONSES)
async def get_date_report(ledger_id: str, topic: str, ledger_date: str, request: Request) -> Response:
    c = container(request)
    cursor = request.query_params.get("cursor") or None

    def read(uow: UnitOfWork, viewer: Viewer) -> dict[str, object]:
        which, day = parse_topic(topic), parse_date(ledger_date)
        ledger = visible_ledger(uow, viewer, ledger_id)
        held_open = c.faults.take(ledger.msn, [FaultKind.REPORT_DATE_OPEN]) is not None
        page = date_report(uow, ledger, which, day, cursor, now=c.clock.now(), lag=_lag(c, ledger),
                           held_open=held_open)
        return page_wire(page, dates=True)

    return answer(request, read)


@router.get("/report/v2/ledgers/{ledger_id}/{topic}/feed", responses=RESPONSES)
async def get_feed(ledger_id: str, topic: str, request: Request) -> Response:
    c = container(request)
    cursor = request.query_params.get("cursor") or None

    def read(uow: UnitOfWork, viewer: Viewer) -> dict[str, object]:
        which = parse_topic(topic)
        ledger = visible_ledger(uow, viewer, ledger_id)
        page = feed(uow, ledger, which, cursor, now=c.clock.now(), lag=_lag(c, ledger))
        return page_wire(page, dates=False)

    return answer(request, read)


@router.get("/report/v1/ledgertransactions", responses=GONE)
async def ledger_transactions_gone(request: Request) -> Response:
    # Report API CHANGELOG, May 2024: v1 was removed and answers 410 Gone
    return problem_response(410, "GET /report/v1/ledgertransactions was removed in May 2024: use the Report API "
                            "2.0 (/report/v2/ledgers/{ledgerId}/{topic}/dates/{date} or .../feed)",
                            request.url.path, title="Gone")
