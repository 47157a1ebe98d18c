"""Writing test entries on a ledger: dispute a capture, return it, top up, credit, correct (README, settlement).

Reconciliation code must book entry types it rarely meets in production; these actions write them now,
on the ledger's open date, as Vipps MobilePay would. Test control plane only: absent in production.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kasse.api.body import parse, read_body
from kasse.api.context import container
from kasse.api.control.ledger_wire import entry_wire
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.api.schemas.common import Strict
from kasse.domain.ledger import EntryType, LedgerEntry, Topic
from kasse.domain.ledger_adjustment import MAX_ADJUSTMENT, AdjustmentError, Refusal
from kasse.services.ledger_adjustments import adjust, dispute_capture, return_dispute
from kasse.services.partners import UnknownLedgerError
from kasse.services.ports import UnitOfWork

PspReference = Annotated[str, Field(min_length=1, max_length=64)]
Amount = Annotated[int, Field(ge=-MAX_ADJUSTMENT, le=MAX_ADJUSTMENT)]
STATUS = {Refusal.INVALID: 400, Refusal.MISSING: 404, Refusal.CONFLICT: 409}


class DisputeIn(Strict):
    pspReference: PspReference  # the disputed capture's, as the funds report shows it
    amount: Annotated[int, Field(ge=1, le=MAX_ADJUSTMENT)] | None = None  # default: all of the capture


class AdjustmentIn(Strict):
    entryType: Literal["top-up", "credit-note", "correction"]
    topic: Literal["funds", "fees"] = "funds"
    amount: Amount | None = None  # signed, minor units; a top-up without one covers a negative balance
    reference: Annotated[str, Field(min_length=1, max_length=64)] | None = None


async def _write(request: Request, job: Callable[[UnitOfWork], LedgerEntry]) -> Response:
    c = container(request)
    ledger_id = request.path_params["ledger_id"]
    try:
        entry = await c.db.write(job)
    except UnknownLedgerError:
        raise ProblemError(404, f"No ledger {ledger_id}", [("ledgerId", "no such ledger")]) from None
    except AdjustmentError as exc:
        raise ProblemError(STATUS[exc.refusal], str(exc), [(exc.field, str(exc))]) from None
    return json_response(entry_wire(entry), status=201)


async def open_dispute(request: Request) -> Response:
    """Hold back a capture the customer disputes: `retained-disputed-capture` with the capture's ids."""
    c = container(request)
    ledger_id = request.path_params["ledger_id"]
    body = parse(DisputeIn, await read_body(request))
    return await _write(request, lambda uow: dispute_capture(uow, c.clock.now(), ledger_id, body.pspReference,
                                                             body.amount))


async def return_disputed(request: Request) -> Response:
    """The merchant won: `returned-disputed-capture` gives back what the capture's dispute holds."""
    c = container(request)
    ledger_id, psp = request.path_params["ledger_id"], request.path_params["psp_reference"]
    return await _write(request, lambda uow: return_dispute(uow, c.clock.now(), ledger_id, psp))


async def add_adjustment(request: Request) -> Response:
    """Write a `top-up`, `credit-note` or `correction` on the ledger's open date."""
    c = container(request)
    ledger_id = request.path_params["ledger_id"]
    body = parse(AdjustmentIn, await read_body(request))
    return await _write(request, lambda uow: adjust(uow, c.clock.now(), ledger_id, EntryType(body.entryType),
                                                    Topic(body.topic), body.amount, body.reference))


ROUTES = [
    Route("/_kasse/ledgers/{ledger_id}/disputes", open_dispute, methods=["POST"]),
    Route("/_kasse/ledgers/{ledger_id}/disputes/{psp_reference}/return", return_disputed, methods=["POST"]),
    Route("/_kasse/ledgers/{ledger_id}/adjustments", add_adjustment, methods=["POST"]),
]
