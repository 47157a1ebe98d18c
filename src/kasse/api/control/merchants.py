"""The control plane's sales units: create one with fresh credentials (test mode only)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.body import parse, read_body
from kasse.api.context import container
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.api.schemas.common import Strict
from kasse.domain.merchant import MSN_PATTERN, NAME_MAX_LENGTH, MerchantFieldError
from kasse.domain.money import Market
from kasse.services.merchants import MerchantExistsError, MerchantSpec, NewMerchant, create_merchant
from kasse.services.ports import UnitOfWork

router = APIRouter(prefix="/_kasse", tags=["kasse control (test only)"])


class MerchantIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX_LENGTH)] = "kasse test shop"
    market: Literal["NO", "DK", "FI"] = "NO"
    msn: Annotated[str, Field(pattern=MSN_PATTERN)] | None = None
    pushAllowed: bool = True
    partialCaptureAllowed: bool = True
    longLivingAllowed: bool = True


@router.post("/merchants", status_code=201)
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
