"""Webhooks API v1 (contract §8.1): register, list and delete a sales unit's webhooks.

Same authentication as the ePayment API; `Merchant-Serial-Number` may be left out, since the token
names the sales unit. A sales unit sees only its own registrations: another's id is a 404.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.body import parse, read_body
from kasse.api.operations import Access, Answer, Api, Operation, routes, system_headers
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.api.schemas.common import Strict
from kasse.container import Container
from kasse.domain.webhook_registration import MAX_URL_LENGTH, InvalidRegistrationError, Registration
from kasse.services import webhooks as use

_EVENTS: Any = ["epayments.payment.authorized.v1", "epayments.payment.captured.v1"]
_ID = "5b0e3c2d-8f4a-4d1e-9a7b-2c6f0e1d3a45"


class RegisterRequest(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"url": "https://example.com/vipps/webhooks",
                                                               "events": _EVENTS}]})

    url: Annotated[str, Field(min_length=1, max_length=MAX_URL_LENGTH,
                              description="Where to POST each event: https (http to loopback in test mode)")]
    events: Annotated[list[str], Field(max_length=64, description="Event types, e.g. "
                                                                  "epayments.payment.captured.v1, user.checked-in.v1")]


class RegisterResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": _ID, "secret": "090a478d-37ff-4e77-970e-"
                                                                                    "d457aeb36ad4"}]})

    id: str
    secret: Annotated[str, Field(description="Signs every delivery (HMAC-SHA256); shown only here")]


class Webhook(BaseModel):
    id: str
    url: str
    events: list[str]


class WebhookList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"webhooks": [
        {"id": _ID, "url": "https://example.com/vipps/webhooks", "events": _EVENTS}]}]})

    webhooks: list[Webhook]


def _wire(registration: Registration) -> dict[str, object]:
    return {"id": registration.id, "url": registration.url, "events": list(registration.events)}


def _webhook_id(raw: str) -> str:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise ProblemError(400, "The webhook id must be a UUID.", [("id", "must be a UUID")]) from None


async def register_webhook(request: Request) -> Response:
    c: Container = request.app.state.container
    msn = request.user.msn
    body = parse(RegisterRequest, await read_body(request))
    try:
        registration = await c.db.write(
            lambda uow: use.register_webhook(uow, c.clock, c.ids, msn=msn, url=body.url, events=body.events,
                                             production=c.settings.production, targets=c.settings.webhook_targets)
        )
    except InvalidRegistrationError as exc:
        raise ProblemError(400, exc.detail, exc.problems) from None
    # the secret is shown here and never again (contract §8.1)
    return json_response({"id": registration.id, "secret": registration.secret}, status=201)


async def list_webhooks(request: Request) -> Response:
    c: Container = request.app.state.container
    msn = request.user.msn
    found = c.db.read(lambda uow: use.list_webhooks(uow, msn))
    return json_response({"webhooks": [_wire(r) for r in found]})


async def delete_webhook(request: Request) -> Response:
    c: Container = request.app.state.container
    msn = request.user.msn
    wanted = _webhook_id(request.path_params["webhook_id"])
    try:
        await c.db.write(lambda uow: use.delete_webhook(uow, msn, wanted))
    except use.WebhookNotFoundError:
        raise ProblemError(404, f"Webhook '{wanted}' not found", [("id", "no such webhook")]) from None
    return Response(status_code=204)


WEBHOOKS = Api("Webhooks", "Have every payment event and each QR check-in POSTed to your server, signed with "
                           "HMAC-SHA256.")
PREFIX = "/webhooks/v1/webhooks"
SYSTEM = system_headers(30)
_ONE = {"webhook_id": {"type": "string", "format": "uuid", "example": _ID}}

OPERATIONS = (
    Operation("POST", PREFIX, register_webhook, "registerWebhook", WEBHOOKS, "Register a webhook",
              "Subscribe a URL to event types. Keep the `secret`: it signs every delivery and is never shown "
              "again. Deliveries are retried until acknowledged with a 2xx, in order per registration and "
              "payment; `user.checked-in.v1` allows one registration per sales unit.",
              Answer(201, "Registered", RegisterResponse), Access.MERCHANT_MSN_OPTIONAL, SYSTEM, RegisterRequest),
    Operation("GET", PREFIX, list_webhooks, "getWebhooks", WEBHOOKS, "List webhooks",
              "The sales unit's registrations, without their secrets.",
              Answer(200, "The registrations", WebhookList), Access.MERCHANT_MSN_OPTIONAL, SYSTEM),
    Operation("DELETE", PREFIX + "/{webhook_id}", delete_webhook, "deleteWebhook", WEBHOOKS, "Delete a webhook",
              "Stop deliveries to a registration. To replace a lost secret, delete and register again.",
              Answer(204, "Deleted"), Access.MERCHANT_MSN_OPTIONAL, SYSTEM, path_params=_ONE),
)

ROUTES = routes(OPERATIONS)
