"""Report API 2.0 (Report API contract §1): ledgers, a date's `funds`/`fees` report, the feed; v1 is gone (410).

Merchant keys (a token from `/accesstoken/get`, plus the subscription key) see their sales unit's ledger;
an accounting partner's token (`/miami/v1/token`) sees the ledgers granted to it. Every other ledger id is
answered as unknown. Report faults (docs/faults.md) act here: `report.lag` and `report.date-open`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from kasse.api.context import container
from kasse.api.operations import Access, Answer, Api, Operation, Query, routes, system_headers
from kasse.api.problems import problem_response
from kasse.api.responses import json_response
from kasse.api.schemas.report import DatePage, FeedPage, LedgerList, ReportBadInput, ReportUnauthorized
from kasse.api.vipps.report_wire import (
    DateNotReadyError,
    ReportAuthError,
    bad_input,
    date_not_ready,
    ledger_wire,
    no_such_ledger,
    page_wire,
    unauthorized,
)
from kasse.container import Container
from kasse.domain.access_token import InvalidTokenError, PartnerClaims, key_hash
from kasse.domain.faults import FaultKind
from kasse.domain.ledger import Ledger
from kasse.domain.report_dialect import OpenDateAnswer
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
    if not key:
        raise ReportAuthError("Please check your API keys: the sales unit's Ocp-Apim-Subscription-Key is required")
    if key_hash(key) not in claims.key_hashes:
        raise ReportAuthError("Please check your API keys: the Ocp-Apim-Subscription-Key is not the token's sales "
                              "unit's")
    msn = request.headers.get("merchant-serial-number")
    if msn is not None and msn != claims.msn:
        raise ReportAuthError("Please check your API keys: Merchant-Serial-Number is not the token's sales unit")
    return Viewer(msn=claims.msn)


# the spec lists these on every Report operation (maxLength 30); a refusal is the API's own input error
SYSTEM_HEADERS = system_headers(30)


def answer(request: Request, read: Callable[[UnitOfWork, Viewer], dict[str, object]]) -> Response:
    c = container(request)
    for rule in SYSTEM_HEADERS:
        if problem := rule.problem(request.headers.get(rule.name)):
            return bad_input(rule.name, problem)
    try:
        viewer = viewer_of(request, c)
        return json_response(c.db.read(lambda uow: read(uow, viewer)))
    except ReportAuthError as exc:
        return unauthorized(str(exc))
    except ReportInputError as exc:
        return bad_input(exc.field, str(exc))
    except LedgerNotFoundError:
        return no_such_ledger(request.scope["path"])
    except DateNotReadyError:
        return date_not_ready(request.scope["path"])


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


async def get_date_report(request: Request) -> Response:
    c, params = container(request), request.path_params
    ledger_id, topic, ledger_date = params["ledger_id"], params["topic"], params["ledger_date"]
    cursor = request.query_params.get("cursor") or None
    dialect = c.settings.report_dialect

    def read(uow: UnitOfWork, viewer: Viewer) -> dict[str, object]:
        which, day = parse_topic(topic), parse_date(ledger_date)
        ledger = visible_ledger(uow, viewer, ledger_id)
        held_open = c.faults.take(ledger.msn, [FaultKind.REPORT_DATE_OPEN]) is not None
        page = date_report(uow, ledger, which, day, cursor, now=c.clock.now(), lag=_lag(c, ledger),
                           held_open=held_open)
        if page.try_later and dialect.open_date is OpenDateAnswer.NOT_FOUND:
            raise DateNotReadyError(ledger_date)
        return page_wire(page, dates=True, payout_name=dialect.payout_entry_type)

    return answer(request, read)


async def get_feed(request: Request) -> Response:
    c, ledger_id, topic = container(request), request.path_params["ledger_id"], request.path_params["topic"]
    cursor = request.query_params.get("cursor") or None

    def read(uow: UnitOfWork, viewer: Viewer) -> dict[str, object]:
        which = parse_topic(topic)
        ledger = visible_ledger(uow, viewer, ledger_id)
        page = feed(uow, ledger, which, cursor, now=c.clock.now(), lag=_lag(c, ledger))
        return page_wire(page, dates=False, payout_name=c.settings.report_dialect.payout_entry_type)

    return answer(request, read)


async def ledger_transactions_gone(request: Request) -> Response:
    # Report API CHANGELOG, May 2024: v1 was removed and answers 410 Gone
    return problem_response(410, "GET /report/v1/ledgertransactions was removed in May 2024: use the Report API "
                            "2.0 (/report/v2/ledgers/{ledgerId}/{topic}/dates/{date} or .../feed)",
                            request.scope["path"], title="Gone")


REPORT = Api("Report", "Ledgers and what settles into them: each date's funds and fees, or a feed of them "
                       "(Report API 2.0). Merchant keys see their sales unit's ledger; an accounting partner's "
                       "token (POST /miami/v1/token) the ledgers granted to it.")
_REFUSALS = (Answer(400, "Malformed date, unknown topic, a cursor of another query or a Vipps-System-* header over "
                         "30 characters (errorCode 10002)", ReportBadInput),
             Answer(401, "Missing, malformed or expired token, or merchant keys without their subscription key",
                    ReportUnauthorized))
_CURSOR = Query("cursor", "Where the previous page ended", {"type": "string"})
_LEDGER: dict[str, dict[str, Any]] = {"ledger_id": {"type": "string", "example": "302321"},
           "topic": {"type": "string", "enum": ["funds", "fees"], "example": "funds"}}

OPERATIONS = (
    Operation("GET", "/settlement/v1/ledgers", get_ledgers, "listLedgers", REPORT, "List ledgers",
              "The ledgers the token may read, with their payout account and the sales units settling into them.",
              Answer(200, "The ledgers", LedgerList), Access.OWN_TOKEN, refusal_answers=_REFUSALS,
              query=(Query("settlesForRecipientHandles", "Only the ledger of this recipient handle (NO:123456)",
                           {"type": "string"}), _CURSOR)),
    Operation("GET", "/report/v2/ledgers/{ledger_id}/{topic}/dates/{ledger_date}", get_date_report,
              "getReportForDate", REPORT, "Get a ledger date's entries",
              "Every funds or fees entry of one ledger date, in pages. Until the date is closed (after midnight "
              "on kasse's clock) the answer says `tryLater`.",
              Answer(200, "A page of entries", DatePage), Access.OWN_TOKEN, refusal_answers=_REFUSALS,
              path_params={**_LEDGER, "ledger_date": {"type": "string", "format": "date", "example": "2026-12-24"}},
              query=(_CURSOR,)),
    Operation("GET", "/report/v2/ledgers/{ledger_id}/{topic}/feed", get_feed, "getReportFeed", REPORT,
              "Follow a ledger's feed", "Entries as they are booked, across dates: keep the cursor and ask again.",
              Answer(200, "A page of entries", FeedPage), Access.OWN_TOKEN, refusal_answers=_REFUSALS,
              path_params=_LEDGER, query=(_CURSOR,)),
    Operation("GET", "/report/v1/ledgertransactions", ledger_transactions_gone, "getLedgerTransactionsV1", REPORT,
              "Report API 1.0 (removed)", "Removed in May 2024: answers 410 Gone, pointing to the Report API 2.0.",
              Answer(410, "Gone", None), refusals=()),
)

ROUTES = routes(OPERATIONS)
