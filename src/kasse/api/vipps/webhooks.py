"""Webhooks API v1 (contract §8.1): register, list and delete a sales unit's webhooks.

Same authentication as the ePayment API; `Merchant-Serial-Number` may be left out, since the token
names the sales unit. A sales unit sees only its own registrations: another's id is a 404.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter
from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.auth import authorize
from kasse.api.body import parse, read_body
from kasse.api.context import container
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.api.schemas.common import Strict
from kasse.domain.webhook_registration import MAX_URL_LENGTH, InvalidRegistrationError, Registration
from kasse.services import webhooks as use

router = APIRouter(prefix="/webhooks/v1", tags=["Webhooks"])


class RegisterRequest(Strict):
    url: Annotated[str, Field(min_length=1, max_length=MAX_URL_LENGTH)]
    events: Annotated[list[str], Field(max_length=64)]


def _wire(registration: Registration) -> dict[str, object]:
    return {"id": registration.id, "url": registration.url, "events": list(registration.events)}


def _webhook_id(raw: str) -> str:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise ProblemError(400, "The webhook id must be a UUID.", [("id", "must be a UUID")]) from None


@router.post("/webhooks", status_code=201)
async def register_webhook(request: Request) -> Response:
    c = container(request)
    msn = authorize(request, c.tokens, c.clock, msn_required=False)
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


@router.get("/webhooks")
async def list_webhooks(request: Request) -> Response:
    c = container(request)
    msn = authorize(request, c.tokens, c.clock, msn_required=False)
    found = c.db.read(lambda uow: use.list_webhooks(uow, msn))
    return json_response({"webhooks": [_wire(r) for r in found]})


@router.delete("/webhooks/{webhook_id}", status_code=204)
async def delete_webhook(webhook_id: str, request: Request) -> Response:
    c = container(request)
    msn = authorize(request, c.tokens, c.clock, msn_required=False)
    wanted = _webhook_id(webhook_id)
    try:
        await c.db.write(lambda uow: use.delete_webhook(uow, msn, wanted))
    except use.WebhookNotFoundError:
        raise ProblemError(404, f"Webhook '{wanted}' not found", [("id", "no such webhook")]) from None
    return Response(status_code=204)
