"""Settlement in the test control plane (README, settlement): ledgers and their entries for the console, a sales
unit's settlement terms, accounting partners and their grants, and closing due dates now. Absent in production.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.body import parse, read_body
from kasse.api.context import container
from kasse.api.control import KASSE_CONTROL
from kasse.api.control.ledger_wire import closed_wire, entry_wire, ledger_state_wire, payout_wire, terms_wire
from kasse.api.operations import Answer, Operation, Query, routes
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.api.schemas.common import Strict
from kasse.api.schemas.control_ledgers import Closed, EntryPage, Grant, LedgerOut, LedgerState, Partner, Partners, Terms
from kasse.domain.ledger import Topic
from kasse.domain.settlement_terms import PayoutFrequency, SettlementMode, TermsError, parse_percent
from kasse.services.ledger_closing import close_due_ledgers
from kasse.services.ledger_settings import NoLedgerError, TermsChange, change_terms
from kasse.services.partners import NewPartner, UnknownLedgerError, create_partner, grant_ledger
from kasse.services.ports import UnitOfWork
from kasse.services.reports import ReportInputError, parse_date

MAX_ENTRIES = 1000


def _percent_text(value: object) -> object:
    # one validator instead of a `str | int` union, whose refusals pydantic names `feePercent.int` and the like;
    # a JSON fraction (1.5) is refused like any other type: a fee never passes through a binary float
    if type(value) is int:
        return str(value)
    if not isinstance(value, str):
        raise ValueError('a fee percent is a string such as "1.75", or a whole number')
    return value


class TermsIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"feePercent": "1.75", "feeFixed": 100,
                                                               "payoutFrequency": "weekly"}]})

    feePercent: Annotated[str, BeforeValidator(_percent_text), Field(max_length=12)] | None = Field(
        None, description="The fee in percent of each capture, e.g. \"1.75\"")
    feeFixed: Annotated[int, Field(ge=0)] | None = Field(None, description="A fixed fee per capture, minor units")
    settlement: Literal["net", "gross"] | None = Field(None, description="net: fees deducted from the payout")
    payoutFrequency: Literal["daily", "weekly", "monthly"] | None = Field(None, description="How often it pays out")
    payoutDelayDays: Annotated[int, Field(ge=0)] | None = Field(None, description="Business days to the bank")


class PartnerIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Acme Accounting"}]})

    name: Annotated[str, Field(min_length=1, max_length=100, description="Shown to merchants")] = (
        "kasse accounting partner")


class GrantIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"msn": "123456"}]})

    ledgerId: Annotated[str, Field(min_length=1, max_length=16)] | None = Field(
        None, description="The ledger to grant (or give msn)")
    msn: Annotated[str, Field(pattern=r"^[0-9]{4,10}$")] | None = Field(
        None, description="The sales unit whose ledger to grant (or give ledgerId)")


def _ledger_or_404(uow: UnitOfWork, ledger_id: str) -> Any:
    ledger = uow.ledgers.get(ledger_id)
    if ledger is None:
        raise ProblemError(404, f"No ledger {ledger_id}", [("ledgerId", "no such ledger")])
    return ledger


async def list_ledgers(request: Request) -> Response:
    c = container(request)
    found = c.db.read(lambda uow: uow.ledgers.list(after=None, limit=10_000))
    return json_response({"ledgers": [ledger_state_wire(ledger) for ledger in found]})


async def get_ledger(request: Request) -> Response:
    c, ledger_id = container(request), request.path_params["ledger_id"]

    def read(uow: UnitOfWork) -> dict[str, Any]:
        ledger = _ledger_or_404(uow, ledger_id)
        return {**ledger_state_wire(ledger),
                "payoutList": [payout_wire(ledger, p) for p in uow.ledgers.payouts(ledger_id)]}

    return json_response(c.db.read(read))


def _int_param(request: Request, name: str, default: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not 0 <= int(raw) <= high:
        raise ProblemError(400, f"{name} must be a whole number from 0 to {high}", [(name, f"0 to {high}")])
    return int(raw)


async def list_entries(request: Request) -> Response:
    """Entries of one topic (`?topic=funds|fees`, default funds), optionally of one `?date=`, after `?after=`."""
    c, ledger_id = container(request), request.path_params["ledger_id"]
    params = request.query_params
    topic = params.get("topic", "funds")
    if topic not in ("funds", "fees"):
        raise ProblemError(400, "topic must be funds or fees", [("topic", "funds or fees")])
    try:
        day = parse_date(params["date"]) if params.get("date") else None
    except ReportInputError as exc:
        raise ProblemError(400, str(exc), [("date", "YYYY-MM-DD")]) from None
    after, limit = _int_param(request, "after", 0, 2**62), _int_param(request, "limit", 100, MAX_ENTRIES)

    def read(uow: UnitOfWork) -> dict[str, Any]:
        _ledger_or_404(uow, ledger_id)
        found = uow.ledgers.entries(ledger_id, Topic(topic), after=after, limit=limit, ledger_date=day)
        return {"ledgerId": ledger_id, "topic": topic, "entries": [entry_wire(e) for e in found]}

    return json_response(c.db.read(read))


async def close_now(request: Request) -> Response:
    """Close every ledger date whose midnight has passed on kasse's clock (the loop does it within a second)."""
    c = container(request)
    closed = await close_due_ledgers(c.db.read, c.db.write, c.clock, c.faults)
    return json_response({"closedLedgerDates": closed_wire(closed)})


def _ledger_of_msn(uow: UnitOfWork, msn: str) -> Any:
    ledger = uow.ledgers.for_msn(msn)
    if ledger is None:
        raise ProblemError(404, f"No sales unit has MSN {msn}", [("msn", "no such sales unit")])
    return ledger


async def get_terms(request: Request) -> Response:
    c, msn = container(request), request.path_params["msn"]
    return json_response(terms_wire(c.db.read(lambda uow: _ledger_of_msn(uow, msn))))


def _change(body: TermsIn) -> TermsChange:
    try:
        percent = None if body.feePercent is None else parse_percent(str(body.feePercent))
    except TermsError as exc:
        raise ProblemError(400, str(exc), [(exc.field, str(exc))]) from None
    return TermsChange(fee_basis_points=percent, fee_fixed=body.feeFixed,
                       mode=SettlementMode(body.settlement) if body.settlement else None,
                       frequency=PayoutFrequency(body.payoutFrequency) if body.payoutFrequency else None,
                       payout_delay_days=body.payoutDelayDays)


async def set_terms(request: Request) -> Response:
    """Change any of the sales unit's settlement terms; the ones left out stay as they are."""
    c, msn = container(request), request.path_params["msn"]
    change = _change(parse(TermsIn, await read_body(request)))
    try:
        ledger = await c.db.write(lambda uow: change_terms(uow, msn, change))
    except NoLedgerError:
        raise ProblemError(404, f"No sales unit has MSN {msn}", [("msn", "no such sales unit")]) from None
    except TermsError as exc:
        raise ProblemError(400, str(exc), [(exc.field, str(exc))]) from None
    return json_response(terms_wire(ledger))


def _partner_wire(created: NewPartner) -> dict[str, Any]:
    p = created.partner
    return {"partnerId": p.partner_id, "name": p.name, "clientId": p.client_id, "clientSecret": created.client_secret}


async def create_partner_route(request: Request) -> Response:
    c = container(request)
    body = parse(PartnerIn, await read_body(request), empty_ok=True)
    created = await c.db.write(lambda uow: create_partner(uow, c.clock, c.ids, body.name))
    return json_response(_partner_wire(created), status=201)


async def list_partners(request: Request) -> Response:
    c = container(request)

    def read(uow: UnitOfWork) -> list[dict[str, Any]]:
        return [{"partnerId": p.partner_id, "name": p.name, "clientId": p.client_id,
                 "ledgerIds": list(uow.partners.granted(p.partner_id))} for p in uow.partners.list()]

    return json_response({"partners": c.db.read(read)})


async def grant(request: Request) -> Response:
    """Grant the partner a ledger, by `ledgerId` or by its sales unit's `msn` (as a merchant does in the portal)."""
    c, partner_id = container(request), request.path_params["partner_id"]
    body = parse(GrantIn, await read_body(request))
    if (body.ledgerId is None) == (body.msn is None):
        raise ProblemError(400, "Give either ledgerId or msn.", [("body", "exactly one of ledgerId, msn")])
    if c.db.read(lambda uow: uow.partners.get(partner_id)) is None:
        raise ProblemError(404, f"No partner {partner_id}", [("partnerId", "no such partner")])
    try:
        ledger_id = await c.db.write(lambda uow: grant_ledger(uow, c.clock, partner_id, ledger_id=body.ledgerId,
                                                               msn=body.msn))
    except UnknownLedgerError:
        field = "ledgerId" if body.ledgerId else "msn"
        raise ProblemError(404, f"No ledger for {field} {body.ledgerId or body.msn}",
                           [(field, "no such ledger")]) from None
    return json_response({"partnerId": partner_id, "ledgerId": ledger_id}, status=201)


async def revoke(request: Request) -> Response:
    c, partner_id, ledger_id = container(request), request.path_params["partner_id"], request.path_params["ledger_id"]
    if not await c.db.write(lambda uow: uow.partners.revoke(partner_id, ledger_id)):
        raise ProblemError(404, f"Partner {partner_id} has no grant of ledger {ledger_id}",
                           [("ledgerId", "not granted")])
    return Response(status_code=204)


LEDGERS = "/_kasse/ledgers"
TERMS = "/_kasse/merchants/{msn}/settlement"
_TERMS_DOC = ("Change any of the sales unit's settlement terms (fee, net or gross, payout frequency and delay); "
              "the ones left out stay as they are.")
_TERMS = Answer(200, "The terms", Terms)
OPERATIONS = (
    Operation("GET", LEDGERS, list_ledgers, "listLedgersControl", KASSE_CONTROL, "List ledgers",
              "Every sales unit's ledger with its balances, positions, closed dates and terms.",
              Answer(200, "The ledgers", LedgerState)),
    Operation("GET", LEDGERS + "/{ledger_id}", get_ledger, "getLedgerControl", KASSE_CONTROL, "Get a ledger",
              "One ledger's state and every payout it made.", Answer(200, "The ledger", LedgerOut)),
    Operation("GET", LEDGERS + "/{ledger_id}/entries", list_entries, "listLedgerEntries", KASSE_CONTROL,
              "List a ledger's entries", "Entries of one topic, optionally of one ledger date, after a position.",
              Answer(200, "The entries", EntryPage),
              query=(Query("topic", "funds (default) or fees", {"type": "string", "enum": ["funds", "fees"]}),
                     Query("date", "Only this ledger date", {"type": "string", "format": "date"}),
                     Query("after", "After this position", {"type": "integer", "minimum": 0}),
                     Query("limit", "At most this many (default 100)",
                           {"type": "integer", "minimum": 0, "maximum": MAX_ENTRIES}))),
    Operation("POST", LEDGERS + "/close", close_now, "closeLedgerDates", KASSE_CONTROL, "Close due ledger dates",
              "Close every ledger date whose midnight has passed on kasse's clock now (the loop does it within a "
              "second).", Answer(200, "The dates it closed", Closed)),
    Operation("GET", TERMS, get_terms, "getSettlementTerms", KASSE_CONTROL, "Get settlement terms",
              "The sales unit's fee, settlement mode and payout schedule.", _TERMS),
    Operation("PUT", TERMS, set_terms, "putSettlementTerms", KASSE_CONTROL, "Set settlement terms", _TERMS_DOC,
              _TERMS, body=TermsIn),
    Operation("PATCH", TERMS, set_terms, "patchSettlementTerms", KASSE_CONTROL, "Change settlement terms",
              _TERMS_DOC, _TERMS, body=TermsIn),
    Operation("POST", "/_kasse/partners", create_partner_route, "createPartner", KASSE_CONTROL,
              "Create an accounting partner", "A partner with client credentials for POST /miami/v1/token, shown "
              "only here.", Answer(201, "Created", Partner), body=PartnerIn, body_required=False),
    Operation("GET", "/_kasse/partners", list_partners, "listPartners", KASSE_CONTROL, "List accounting partners",
              "Every partner with the ledgers granted to it.", Answer(200, "The partners", Partners)),
    Operation("POST", "/_kasse/partners/{partner_id}/grants", grant, "grantLedger", KASSE_CONTROL,
              "Grant a partner a ledger", "Let the partner read a ledger, by its id or its sales unit's MSN, as "
              "a merchant does in the portal.", Answer(201, "Granted", Grant), body=GrantIn),
    Operation("DELETE", "/_kasse/partners/{partner_id}/grants/{ledger_id}", revoke, "revokeLedger", KASSE_CONTROL,
              "Revoke a partner's ledger", "The partner can no longer read the ledger.", Answer(204, "Revoked")),
)

ROUTES = routes(OPERATIONS)
