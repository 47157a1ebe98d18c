"""Access Token API (contract §2.1): credentials in headers, any body ignored, every field a string."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.operations import Answer, Api, Header, Operation, routes, system_headers
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.container import Container
from kasse.services.merchants import authenticate
from kasse.settings import DEMO_UNITS

_DEMO_CLIENTS = frozenset(u.client_id for u in DEMO_UNITS)


class AccessToken(BaseModel):
    """Every field a string, even the numbers."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "token_type": "Bearer", "expires_in": "3600", "ext_expires_in": "3600", "expires_on": "1774612319",
        "not_before": "1774608719", "resource": "00000002-0000-0000-c000-000000000000",
        "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJtc24iOiIxMjM0NTYifQ.c2lnbmF0dXJl"}]})

    token_type: str
    expires_in: str
    ext_expires_in: str
    expires_on: str
    not_before: str
    resource: str
    access_token: str


async def get_access_token(request: Request) -> Response:
    c: Container = request.app.state.container
    headers = request.headers  # all three are there: the operation's header rules required them
    client_id, secret, key = headers["client_id"], headers["client_secret"], headers["ocp-apim-subscription-key"]
    merchant = c.db.read(lambda uow: authenticate(uow, client_id, secret, key))
    if merchant is None or (c.settings.production and merchant.client_id in _DEMO_CLIENTS):  # their secrets are public
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


ACCESS_TOKEN = Api("Access token", "The bearer token every other API call carries.")
CREDENTIALS = (
    Header("client_id", "The sales unit's client id.", required=True, example="fb492b5e-7907-4d83-ba20-c7fb60ca35de"),
    Header("client_secret", "The sales unit's client secret.", required=True, example="Y8Kteew6GE2ZmeycEt6egg=="),
    Header("Ocp-Apim-Subscription-Key", "The sales unit's subscription key.", required=True,
           example="0f14ebcab0ec4b29ae0cb90d91b4a84a"),
    Header("Merchant-Serial-Number", "Optional: the MSN the credentials belong to.", max_length=10,
           example="123456"),
)

OPERATIONS = (
    Operation("POST", "/accesstoken/get", get_access_token, "fetchAccessToken", ACCESS_TOKEN, "Get an access token",
              "Trade the sales unit's client id, client secret and subscription key, sent as headers with an "
              "empty body, for a bearer token. It lasts an hour in test mode (a day in production); reuse it "
              "until it expires.",
              Answer(200, "The token; every field is a string", AccessToken, media="application/json;charset=UTF-8"),
              headers=(*CREDENTIALS, *system_headers(30)), refusals=(400, 401, 403)),
)

ROUTES = routes(OPERATIONS)
