"""Fault injection in the test control plane (docs/faults.md): arm, list and disarm faults per sales unit.

Like all of /_kasse/, absent in production mode; the board itself also refuses to arm there.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.body import parse, read_body
from kasse.api.context import container
from kasse.api.control import KASSE_CONTROL
from kasse.api.operations import Answer, Operation, Query, routes
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.api.schemas.common import Strict
from kasse.api.schemas.control import FaultList, FaultOut
from kasse.domain.faults import Endpoint, Fault, FaultKind, FaultSpecError
from kasse.domain.merchant import MSN_PATTERN
from kasse.domain.timefmt import rfc3339
from kasse.services.faults import FaultsDisabledError

Msn = Annotated[str, Field(pattern=MSN_PATTERN)]


class FaultIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"msn": "123456", "kind": "api.500",
                                                               "endpoint": "capture", "times": 1}]})

    msn: Annotated[Msn, Field(description="The sales unit it applies to")]
    kind: Annotated[FaultKind, Field(description="What goes wrong (docs/faults.md)")]
    endpoint: Endpoint | None = Field(None, description="api.* kinds: only this ePayment operation")
    times: int | None = Field(None, description="How many times it fires; left out: until disarmed")
    delaySeconds: Annotated[float, Field(allow_inf_nan=False)] | None = Field(
        None, description="webhook.delay: seconds of kasse's clock")


def fault_wire(f: Fault) -> dict[str, Any]:
    return {"id": f.id, "msn": f.msn, "kind": f.kind.value, "endpoint": f.endpoint.value if f.endpoint else None,
            "remaining": f.remaining, "delaySeconds": f.delay_seconds, "armedAt": rfc3339(f.armed_at)}


def _msn_query(request: Request) -> str | None:
    msn = request.query_params.get("msn")
    if msn is not None and not (msn.isascii() and msn.isdigit() and 4 <= len(msn) <= 10):
        raise ProblemError(400, "msn must be a Merchant Serial Number", [("msn", "4 to 10 digits")])
    return msn


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


async def list_faults(request: Request) -> Response:
    c = container(request)
    return json_response({"faults": [fault_wire(f) for f in c.faults.list(_msn_query(request))]})


async def disarm_faults(request: Request) -> Response:
    c = container(request)
    c.faults.disarm_all(_msn_query(request))
    return Response(status_code=204)


async def disarm_fault(request: Request) -> Response:
    c, fault_id = container(request), request.path_params["fault_id"]
    if not c.faults.disarm(fault_id):
        raise ProblemError(404, f"No fault {fault_id} is armed", [("id", "no such fault")])
    return Response(status_code=204)


FAULTS = "/_kasse/faults"
_MSN = (Query("msn", "Only this sales unit's faults", {"type": "string", "pattern": "^[0-9]{4,10}$"}),)
OPERATIONS = (
    Operation("POST", FAULTS, arm_fault, "armFault", KASSE_CONTROL, "Arm a fault",
              "Make the next calls or webhooks of a sales unit fail the way real ones do: a 500, 423 or 429, a "
              "lost response, a dropped, late, duplicated, reordered or badly signed webhook.",
              Answer(201, "Armed", FaultOut), body=FaultIn, refusals=(404,)),
    Operation("GET", FAULTS, list_faults, "listFaults", KASSE_CONTROL, "List armed faults",
              "Every armed fault, or one sales unit's.", Answer(200, "The faults", FaultList), query=_MSN),
    Operation("DELETE", FAULTS, disarm_faults, "disarmFaults", KASSE_CONTROL, "Disarm faults",
              "Disarm every fault, or one sales unit's.", Answer(204, "Disarmed"), query=_MSN),
    Operation("DELETE", FAULTS + "/{fault_id}", disarm_fault, "disarmFault", KASSE_CONTROL, "Disarm a fault",
              "Disarm one fault by its id.", Answer(204, "Disarmed")),
)

ROUTES = routes(OPERATIONS)
