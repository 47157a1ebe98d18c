"""`POST /miami/v1/token`: accounting partners' tokens (OAuth2 client credentials), for the Report API only.

`Authorization: Basic base64(client_id:client_secret)` and the form `grant_type=client_credentials`, no
subscription key; the answer is `{access_token, token_type, expires_in}`, valid 15 minutes (contract §2.2).
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qs

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.body import read_body
from kasse.api.context import container
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.services.partners import authenticate_partner

router = APIRouter(tags=["Access token"])


def _basic(request: Request) -> tuple[str, str]:
    auth = request.headers.get("authorization", "")
    if not auth.startswith("Basic "):
        raise ProblemError(401, "Authorization: Basic base64(client_id:client_secret) is required")
    try:
        client_id, sep, secret = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise ProblemError(401, "Authorization is not base64 of client_id:client_secret") from None
    if not sep or not client_id or not secret:
        raise ProblemError(401, "Authorization is not base64 of client_id:client_secret")
    return client_id, secret


@router.post("/miami/v1/token", responses={401: {"description": "Wrong client credentials", "content": {
    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}})
async def partner_token(request: Request) -> Response:
    c = container(request)
    form = parse_qs((await read_body(request)).decode("utf-8", "replace"))
    if form.get("grant_type") != ["client_credentials"]:
        raise ProblemError(400, "grant_type must be client_credentials", [("grant_type", "client_credentials")])
    client_id, secret = _basic(request)
    partner = c.db.read(lambda uow: authenticate_partner(uow, client_id, secret))
    if partner is None:
        raise ProblemError(401, "Invalid client_id or client_secret")
    issued = c.tokens.issue_partner(partner.partner_id, partner.client_id, c.clock.now())
    return json_response({"access_token": issued.token, "token_type": "Bearer",
                          "expires_in": str(issued.expires_on - issued.not_before)},
                         headers={"content-type": "application/json;charset=UTF-8"})
