"""`POST /miami/v1/token`: accounting partners' tokens (OAuth2 client credentials), for the Report API only.

`Authorization: Basic base64(client_id:client_secret)` and the form `grant_type=client_credentials` (the
current spec), or the `client_id` and `client_secret` headers with no body (the 2023 spec); no subscription
key. The answer is `{access_token, token_type, expires_in}`, valid 15 minutes (contract §1.1).
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

from kasse.api.body import read_body
from kasse.api.context import container
from kasse.api.operations import Answer, Operation, routes
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.api.schemas.report import PartnerToken
from kasse.api.vipps.accesstoken import ACCESS_TOKEN
from kasse.services.partners import authenticate_partner


def _credentials(request: Request) -> tuple[str, str, bool]:
    """Return client_id, client_secret and whether they came as Basic authorization (else as headers)."""
    auth = request.headers.get("authorization", "")
    if not auth.startswith("Basic "):
        client_id, secret = request.headers.get("client_id"), request.headers.get("client_secret")
        if client_id and secret:
            return client_id, secret, False
        raise ProblemError(401, "Authorization: Basic base64(client_id:client_secret) is required")
    try:
        client_id, sep, secret = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise ProblemError(401, "Authorization is not base64 of client_id:client_secret") from None
    if not sep or not client_id or not secret:
        raise ProblemError(401, "Authorization is not base64 of client_id:client_secret")
    return client_id, secret, True


async def partner_token(request: Request) -> Response:
    c = container(request)
    form = parse_qs((await read_body(request)).decode("utf-8", "replace"))
    grant = form.get("grant_type")
    client_id, secret, basic = _credentials(request)
    # the current spec's form is required with Basic; the 2023 spec's header credentials came without a body
    if grant != ["client_credentials"] and (basic or grant is not None):
        raise ProblemError(400, "The body must be the form grant_type=client_credentials, sent as Content-Type: "
                           "application/x-www-form-urlencoded", [("grant_type", "must be client_credentials")])
    partner = c.db.read(lambda uow: authenticate_partner(uow, client_id, secret))
    if partner is None:
        raise ProblemError(401, "Invalid client_id or client_secret")
    issued = c.tokens.issue_partner(partner.partner_id, partner.client_id, c.clock.now())
    return json_response({"access_token": issued.token, "token_type": "Bearer",
                          "expires_in": str(issued.expires_on - issued.not_before)},
                         headers={"content-type": "application/json;charset=UTF-8"})


OPERATIONS = (
    Operation("POST", "/miami/v1/token", partner_token, "fetchPartnerToken", ACCESS_TOKEN,
              "Get an accounting partner's token",
              "OAuth2 client credentials for the Report API only: `Authorization: Basic base64(client_id:"
              "client_secret)` and the form body `grant_type=client_credentials`, no subscription key. The token "
              "lasts 15 minutes.", Answer(200, "The token", PartnerToken, media="application/json;charset=UTF-8"),
              refusals=(400, 401, 413)),
)

ROUTES = routes(OPERATIONS)
