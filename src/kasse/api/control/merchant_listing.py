"""The control plane's list of sales units (`GET /_kasse/merchants`), for `kasse merchant list` (test only).

What a unit is called and allowed to do, never its credentials: those are shown once, when it is made.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from kasse.api.context import container
from kasse.api.control import KASSE_CONTROL
from kasse.api.operations import Answer, Operation, routes
from kasse.api.responses import json_response
from kasse.api.schemas.control import MerchantListed
from kasse.domain.merchant import Merchant
from kasse.domain.timefmt import rfc3339


def merchant_wire(m: Merchant) -> dict[str, object]:
    return {"msn": m.msn, "name": m.name, "market": m.market.value, "clientId": m.client_id,
            "createdAt": rfc3339(m.created_at), "pushAllowed": m.push_allowed,
            "partialCaptureAllowed": m.partial_capture_allowed, "longLivingAllowed": m.long_living_allowed}


async def list_merchants(request: Request) -> Response:
    c = container(request)
    return json_response([merchant_wire(m) for m in c.db.read(lambda uow: uow.merchants.list())])


OPERATIONS = (
    Operation("GET", "/_kasse/merchants", list_merchants, "listSalesUnits", KASSE_CONTROL, "List sales units",
              "Every sales unit with its name, market and permissions; never its credentials (shown once, when it "
              "is made).", Answer(200, "The sales units", MerchantListed, many=True)),
)

ROUTES = routes(OPERATIONS)
