"""Settlement in the test control plane (docs/settlement.md): ledgers and their entries for the console, a sales
unit's settlement terms, accounting partners and their grants, and closing due dates now. Absent in production.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.body import parse, read_body
from kasse.api.context import container
from kasse.api.control.ledger_wire import closed_wire, entry_wire, ledger_state_wire, payout_wire, terms_wire
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.api.schemas.common import Strict
from kasse.domain.ledger import Topic
from kasse.domain.settlement_terms import PayoutFrequency, SettlementMode, TermsError, parse_percent
from kasse.services.ledger_closing import close_due_ledgers
from kasse.services.ledger_settings import NoLedgerError, TermsChange, change_terms
from kasse.services.partners import NewPartner, UnknownLedgerError, create_partner, grant_ledger
from kasse.services.ports import UnitOfWork
from kasse.services.reports import ReportInputError, parse_date

router = APIRouter(prefix="/_kasse", tags=["kasse control (test only)"])

MAX_ENTRIES = 1000


class TermsIn(Strict):
    feePercent: Annotated[str, Field(max_length=12)] | int | None = None
    feeFixed: Annotated[int, Field(ge=0)] | None = None
    settlement: Literal["net", "gross"] | None = None
    payoutFrequency: Literal["daily", "weekly", "monthly"] | None = None
    payoutDelayDays: Annotated[int, Field(ge=0)] | None = None


class PartnerIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=100)] = "kasse accounting partner"


class GrantIn(Strict):
    ledgerId: Annotated[str, Field(min_length=1, max_length=16)] | None = None
    msn: Annotated[str, Field(pattern=r"^[0-9]{4,10}$")] | None = None


def _ledger_or_404(uow: UnitOfWork, ledger_id: str) -> Any:
    ledger = uow.ledgers.get(ledger_id)
    if ledger is None:
        raise ProblemError(404, f"No ledger {ledger_id}", [("ledgerId", "no such ledger")])
    return ledger


@router.get("/ledgers")
async def list_ledgers(request: Request) -> Response:
    c = container(request)
    found = c.db.read(lambda uow: uow.ledgers.list(after=None, limit=10_000))
    return json_response({"ledgers": [ledger_state_wire(ledger) for ledger in found]})


@router.get("/ledgers/{ledger_id}")
async def get_ledger(ledger_id: str, request: Request) -> Response:
    c = container(request)

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


@router.get("/ledgers/{ledger_id}/entries")
async def list_entries(ledger_id: str, request: Request) -> Response:
    """Entries of one topic (`?topic=funds|fees`, default funds), optionally of one `?date=`, after `?after=`."""
    c = container(request)
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


@router.post("/ledgers/close")
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


@router.get("/merchants/{msn}/settlement")
async def get_terms(msn: str, request: Request) -> Response:
    c = container(request)
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


@router.put("/merchants/{msn}/settlement", operation_id="putSettlementTerms")
@router.patch("/merchants/{msn}/settlement", operation_id="patchSettlementTerms")
async def set_terms(msn: str, request: Request) -> Response:
    """Change any of the sales unit's settlement terms; the ones left out stay as they are."""
    c = container(request)
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


@router.post("/partners", status_code=201)
async def create_partner_route(request: Request) -> Response:
    c = container(request)
    body = parse(PartnerIn, await read_body(request), empty_ok=True)
    created = await c.db.write(lambda uow: create_partner(uow, c.clock, c.ids, body.name))
    return json_response(_partner_wire(created), status=201)


@router.get("/partners")
async def list_partners(request: Request) -> Response:
    c = container(request)

    def read(uow: UnitOfWork) -> list[dict[str, Any]]:
        return [{"partnerId": p.partner_id, "name": p.name, "clientId": p.client_id,
                 "ledgerIds": list(uow.partners.granted(p.partner_id))} for p in uow.partners.list()]

    return json_response({"partners": c.db.read(read)})


@router.post("/partners/{partner_id}/grants", status_code=201)
async def grant(partner_id: str, request: Request) -> Response:
    """Grant the partner a ledger, by `ledgerId` or by its sales unit's `msn` (as a merchant does in the portal)."""
    c = container(request)
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


@router.delete("/partners/{partner_id}/grants/{ledger_id}", status_code=204)
async def revoke(partner_id: str, ledger_id: str, request: Request) -> Response:
    c = container(request)
    if not await c.db.write(lambda uow: uow.partners.revoke(partner_id, ledger_id)):
        raise ProblemError(404, f"Partner {partner_id} has no grant of ledger {ledger_id}",
                           [("ledgerId", "not granted")])
    return Response(status_code=204)
