"""Access Token API (contract §2.1): credentials in headers, any body ignored, every field a string."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.context import container
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.services.merchants import authenticate
from kasse.settings import DEMO

router = APIRouter(tags=["Access token"])


@router.post("/accesstoken/get")
async def get_access_token(request: Request) -> Response:
    c = container(request)
    headers = request.headers
    client_id, secret = headers.get("client_id"), headers.get("client_secret")
    key = headers.get("ocp-apim-subscription-key")
    missing = [name for name, value in (("client_id", client_id), ("client_secret", secret),
                                        ("Ocp-Apim-Subscription-Key", key)) if not value]
    if missing:
        raise ProblemError(400, "Missing credentials", [(name, "required header") for name in missing])
    assert client_id and secret and key
    merchant = c.db.read(lambda uow: authenticate(uow, client_id, secret, key))
    if merchant is None or (c.settings.production and merchant.client_id == DEMO.client_id):  # its secret is public
        raise ProblemError(401, "Invalid client_id, client_secret or subscription key")
    msn = headers.get("merchant-serial-number")
    if msn is not None and msn != merchant.msn:
        raise ProblemError(403, "The Merchant-Serial-Number does not belong to these credentials")
    issued = c.tokens.issue(merchant, c.clock.now())
    lifetime = str(issued.expires_on - issued.not_before)
    return json_response(
        {
            "token_type": "Bearer",
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "expires_on": str(issued.expires_on),
            "not_before": str(issued.not_before),
            "resource": "00000002-0000-0000-c000-000000000000",
            "access_token": issued.token,
        },
        headers={"content-type": "application/json;charset=UTF-8"},
    )
