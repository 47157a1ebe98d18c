"""The control plane's sales units: create one with fresh credentials (test mode only)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.body import parse, read_body
from kasse.api.context import container
from kasse.api.control import KASSE_CONTROL
from kasse.api.operations import Answer, Operation, routes
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.api.schemas.common import Strict
from kasse.api.schemas.control import MerchantOut
from kasse.domain.merchant import MSN_PATTERN, NAME_MAX_LENGTH, MerchantFieldError
from kasse.domain.money import Market
from kasse.services.merchants import MerchantExistsError, MerchantSpec, NewMerchant, create_merchant
from kasse.services.ports import UnitOfWork


class MerchantIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Corner café", "market": "NO"}]})

    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX_LENGTH, description="Shown in the wallet")] = (
        "kasse test shop")
    market: Annotated[Literal["NO", "DK", "FI"], Field(description="Sets the currency: NOK, DKK or EUR")] = "NO"
    msn: Annotated[str, Field(pattern=MSN_PATTERN)] | None = Field(None, description="Chosen when left out")
    pushAllowed: Annotated[bool, Field(description="May send PUSH_MESSAGE payments (else 5080)")] = True
    partialCaptureAllowed: Annotated[bool, Field(description="May capture part of a payment (else 6140)")] = True
    longLivingAllowed: Annotated[bool, Field(description="May set expiresAt (else 5050)")] = True


async def create_merchant_route(request: Request) -> Response:
    c = container(request)
    body = parse(MerchantIn, await read_body(request), empty_ok=True)
    spec = MerchantSpec(
        name=body.name,
        market=Market(body.market),
        msn=body.msn,
        push_allowed=body.pushAllowed,
        partial_capture_allowed=body.partialCaptureAllowed,
        long_living_allowed=body.longLivingAllowed,
    )

    def job(uow: UnitOfWork) -> NewMerchant:
        return create_merchant(uow, c.clock, c.ids, spec)

    try:
        created = await c.db.write(job)
    except MerchantExistsError as exc:
        raise ProblemError(409, str(exc), [("msn", "already exists")]) from None
    except MerchantFieldError as exc:
        raise ProblemError(400, str(exc), [(exc.field, str(exc))]) from None
    m = created.merchant
    return json_response(
        {
            "msn": m.msn,
            "name": m.name,
            "market": m.market.value,
            "clientId": m.client_id,
            "clientSecret": created.client_secret,
            "subscriptionKey": created.subscription_keys[0],
            "secondarySubscriptionKey": created.subscription_keys[1],
        },
        status=201,
    )


OPERATIONS = (
    Operation("POST", "/_kasse/merchants", create_merchant_route, "createSalesUnit", KASSE_CONTROL,
              "Create a sales unit", "A new sales unit with fresh credentials (client id, secret and subscription "
              "keys), shown only in this answer. An empty body takes the defaults.",
              Answer(201, "Created, with its credentials", MerchantOut), body=MerchantIn, body_required=False,
              refusals=(409,)),
)

ROUTES = routes(OPERATIONS)
