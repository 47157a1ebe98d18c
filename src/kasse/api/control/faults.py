"""Fault injection in the test control plane (docs/faults.md): arm, list and disarm faults per sales unit.

Like all of /_kasse/, absent in production mode; the board itself also refuses to arm there.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.body import parse, read_body
from kasse.api.context import container
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.api.schemas.common import Strict
from kasse.domain.faults import Endpoint, Fault, FaultKind, FaultSpecError
from kasse.domain.merchant import MSN_PATTERN
from kasse.domain.timefmt import rfc3339
from kasse.services.faults import FaultsDisabledError

router = APIRouter(prefix="/_kasse/faults", tags=["kasse control (test only)"])

Msn = Annotated[str, Field(pattern=MSN_PATTERN)]


class FaultIn(Strict):
    msn: Msn
    kind: FaultKind
    endpoint: Endpoint | None = None
    times: int | None = None  # None: fires until disarmed
    delaySeconds: Annotated[float, Field(allow_inf_nan=False)] | None = None


def fault_wire(f: Fault) -> dict[str, Any]:
    return {"id": f.id, "msn": f.msn, "kind": f.kind.value, "endpoint": f.endpoint.value if f.endpoint else None,
            "remaining": f.remaining, "delaySeconds": f.delay_seconds, "armedAt": rfc3339(f.armed_at)}


def _msn_query(request: Request) -> str | None:
    msn = request.query_params.get("msn")
    if msn is not None and not (msn.isascii() and msn.isdigit() and 4 <= len(msn) <= 10):
        raise ProblemError(400, "msn must be a Merchant Serial Number", [("msn", "4 to 10 digits")])
    return msn


@router.post("", status_code=201)
async def arm_fault(request: Request) -> Response:
    c = container(request)
    body = parse(FaultIn, await read_body(request))
    if c.db.read(lambda uow: uow.merchants.get(body.msn)) is None:
        raise ProblemError(404, f"No sales unit has MSN {body.msn}", [("msn", "no such sales unit")])
    try:
        fault = c.faults.arm(body.msn, body.kind, endpoint=body.endpoint, times=body.times,
                             delay_seconds=body.delaySeconds)
    except FaultSpecError as exc:
        raise ProblemError(400, str(exc), [(exc.field, str(exc))]) from None
    except FaultsDisabledError:  # unreachable: production mounts no control plane; kept as a second lock
        raise ProblemError(404, "Not found") from None
    return json_response(fault_wire(fault), status=201)


@router.get("")
async def list_faults(request: Request) -> Response:
    c = container(request)
    return json_response({"faults": [fault_wire(f) for f in c.faults.list(_msn_query(request))]})


@router.delete("", status_code=204)
async def disarm_faults(request: Request) -> Response:
    c = container(request)
    c.faults.disarm_all(_msn_query(request))
    return Response(status_code=204)


@router.delete("/{fault_id}", status_code=204)
async def disarm_fault(fault_id: str, request: Request) -> Response:
    c = container(request)
    if not c.faults.disarm(fault_id):
        raise ProblemError(404, f"No fault {fault_id} is armed", [("id", "no such fault")])
    return Response(status_code=204)
