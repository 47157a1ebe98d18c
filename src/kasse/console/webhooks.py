"""`/console/webhooks`: every sales unit's registrations and deliveries with each attempt; redeliver, test events.

Registrations show where and what is sent, never their secrets. Redelivering and a test event go through
the same use cases as the control plane (`services.deliveries.redeliver_now`, `services.sample_events`):
rows in the outbox that the delivery loop sends, signs and retries like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import orjson
from fastapi import APIRouter
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kasse.console.form_posts import FormError, back, notice_of, text_field
from kasse.console.views import console_container, render
from kasse.domain.merchant import Merchant
from kasse.domain.webhook_delivery import DeliveryState, DeliveryTransitionError
from kasse.domain.webhook_registration import Registration
from kasse.services.deliveries import DeliveryNotFoundError, redeliver_now
from kasse.services.ports import UnitOfWork
from kasse.services.read_models import DeliveryRecord
from kasse.services.sample_events import send_test_event
from kasse.services.webhooks import WebhookNotFoundError

router = APIRouter(include_in_schema=False)
PAGE = "/console/webhooks"
SHOWN = 100  # deliveries on the page, newest first
STATE_CHIP = {DeliveryState.PENDING: "wait", DeliveryState.DELIVERED: "good", DeliveryState.DEAD: "bad",
              DeliveryState.DISCARDED: ""}


@dataclass(frozen=True, slots=True)
class Unit:
    """A sales unit with its registrations, as the page lists them."""

    merchant: Merchant
    registrations: list[Registration]


def _filters(request: Request) -> tuple[str | None, str | None]:
    q = request.query_params
    msn, reference = (q.get("msn") or "").strip()[:10], (q.get("reference") or "").strip()[:64]
    return msn or None, reference or None


def breakable(name: str) -> Markup:
    """An event type that may wrap at its dots on a narrow column (`epayments.payment.created.v1`)."""
    return Markup(".<wbr>").join(escape(name).split("."))


def _pretty(payload: bytes) -> str:
    try:
        return orjson.dumps(orjson.loads(payload), option=orjson.OPT_INDENT_2).decode()
    except orjson.JSONDecodeError:
        return payload.decode(errors="replace")


def _page(request: Request, status: int = 200, error: str | None = None) -> Response:
    c = console_container(request)
    msn, reference = _filters(request)

    def read(uow: UnitOfWork) -> tuple[list[Unit], list[DeliveryRecord]]:
        units = [Unit(m, list(uow.webhooks.list(m.msn))) for m in uow.merchants.list()]
        return units, list(uow.delivery_log.history(msn=msn, reference=reference, limit=SHOWN))

    units, deliveries = c.db.read(read)
    return render(request, "webhooks.html", "webhooks", status=status, error=error, notice=notice_of(request),
                  units=units, deliveries=deliveries, msn=msn or "", reference=reference or "", chip=STATE_CHIP,
                  pretty=_pretty, breakable=breakable, now=c.clock.now(), pending=DeliveryState.PENDING,
                  discarded=DeliveryState.DISCARDED, state="|".join(
                      f"{r.delivery.id}:{r.delivery.state.value}:{len(r.attempts)}" for r in deliveries))


@router.get(PAGE)
async def webhooks_page(request: Request) -> Response:
    """Registrations and the newest deliveries, filtered by sales unit or reference."""
    return _page(request)


@router.get(PAGE + "/state.json")
async def webhooks_state(request: Request) -> JSONResponse:
    """A fingerprint of the deliveries the page shows; its script reloads the page when it changes."""
    c = console_container(request)
    msn, reference = _filters(request)
    found = await c.db.query(lambda uow: uow.delivery_log.history(msn=msn, reference=reference, limit=SHOWN))
    return JSONResponse({"state": "|".join(f"{r.delivery.id}:{r.delivery.state.value}:{len(r.attempts)}"
                                           for r in found)})


@router.post(PAGE + "/deliveries/{delivery_id}/redeliver")
async def redeliver(request: Request, delivery_id: str) -> Response:
    """Queue a delivery again now, whatever its state (a DEAD one comes back to life)."""
    c = console_container(request)
    if not (delivery_id.isascii() and delivery_id.isdigit()) or len(delivery_id) > 18:
        return _page(request, 400, "A delivery id is a number.")
    number = int(delivery_id)
    try:
        await c.db.write(lambda uow: redeliver_now(uow, number, c.clock.now()))
    except DeliveryNotFoundError:
        return _page(request, 404, f"No delivery {number}.")
    except DeliveryTransitionError as exc:
        return _page(request, 409, f"Delivery {number} cannot be redelivered: {exc}")
    return back(PAGE, f"Delivery {number} is queued again: it goes out now.")


def _when(moment: datetime) -> str:
    return moment.strftime("%H:%M:%S")


@router.post(PAGE + "/registrations/{webhook_id}/test")
async def test_event(request: Request, webhook_id: str) -> Response:
    """Queue a signed sample event to one registration (services.sample_events)."""
    c = console_container(request)
    form = await request.form()
    try:
        msn = text_field(form, "msn", 10)
        event_type = text_field(form, "eventType", 64, required=False) or None
        sent = await c.db.write(lambda uow: send_test_event(uow, c.clock, c.ids, msn=msn, webhook_id=webhook_id[:64],
                                                            event_type=event_type))
    except FormError as exc:
        return _page(request, 400, f"No test event sent: {exc}")
    except WebhookNotFoundError:
        return _page(request, 404, "No test event sent: that sales unit has no such registration for that event.")
    return back(PAGE, f"Test event queued as delivery {sent} at {_when(c.clock.now())}; it is signed with the "
                      "registration's secret and appears below.")
