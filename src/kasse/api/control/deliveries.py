"""Webhook deliveries in the test control plane: list them with every attempt, redeliver one, and a page.

Like all of /_kasse/, absent in production mode.
"""

from __future__ import annotations

import html
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from kasse.api.context import container
from kasse.api.control import KASSE_CONTROL
from kasse.api.operations import Answer, Operation, Query, routes
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.api.schemas.control import DeliveryOut
from kasse.domain.timefmt import rfc3339
from kasse.domain.webhook_delivery import Attempt, DeliveryState, DeliveryTransitionError
from kasse.services.deliveries import DeliveryNotFoundError, redeliver_now
from kasse.services.read_models import DeliveryRecord

MAX_LIMIT = 1000


def _attempt_wire(a: Attempt) -> dict[str, Any]:
    return {"number": a.number, "outcome": a.outcome.value, "sentAt": rfc3339(a.sent_at),
            "recordedAt": rfc3339(a.recorded_at), "responseCode": a.response_code, "latencyMs": a.latency_ms,
            "error": a.error}


def delivery_wire(record: DeliveryRecord) -> dict[str, Any]:
    d = record.delivery
    return {
        "id": d.id,
        "webhookId": d.webhook_id,
        "url": record.url,
        "msn": d.msn,
        "reference": d.reference,
        "eventType": d.event_type,
        "state": d.state.value,
        "attemptCount": d.attempts,
        "createdAt": rfc3339(d.created_at),
        "nextAttemptAt": rfc3339(d.next_attempt_at) if d.state is DeliveryState.PENDING else None,
        "deliveredAt": rfc3339(record.delivered_at) if record.delivered_at else None,
        "payload": orjson.loads(record.payload),
        "attempts": [_attempt_wire(a) for a in record.attempts],
    }


def _limit(raw: str | None) -> int:
    try:
        limit = int(raw) if raw is not None else 100
    except ValueError:
        limit = -1
    if not 1 <= limit <= MAX_LIMIT:
        raise ProblemError(400, f"limit must be 1..{MAX_LIMIT}", [("limit", f"an integer 1..{MAX_LIMIT}")])
    return limit


async def list_deliveries(request: Request) -> Response:
    c = container(request)
    q = request.query_params
    limit = _limit(q.get("limit"))
    found = c.db.read(lambda uow: uow.delivery_log.history(reference=q.get("reference"), msn=q.get("msn"),
                                                   limit=limit))
    return json_response([delivery_wire(r) for r in found])


async def redeliver(request: Request) -> Response:
    c, raw = container(request), request.path_params["delivery_id"]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise ProblemError(400, "The delivery id is a number", [("id", "an integer")])
    delivery_id = int(raw)
    try:
        await c.db.write(lambda uow: redeliver_now(uow, delivery_id, c.clock.now()))
    except DeliveryNotFoundError:
        raise ProblemError(404, f"Delivery {delivery_id} not found", [("id", "no such delivery")]) from None
    except DeliveryTransitionError as exc:
        raise ProblemError(409, f"Delivery {delivery_id} cannot be redelivered: {exc}", [("id", str(exc))]) from None
    (record,) = c.db.read(lambda uow: uow.delivery_log.history(delivery_id=delivery_id, limit=1))
    return json_response(delivery_wire(record))


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>kasse webhooks</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}}table{{border-collapse:collapse;width:100%}}
th,td{{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eee;font-size:.9rem;vertical-align:top}}
.DELIVERED{{color:#176b2c}}.PENDING{{color:#8a5a00}}.DEAD,.DISCARDED{{color:#a61b1b}}code{{font-size:.85rem}}</style>
</head><body><h1>Webhook deliveries</h1>
<p>The newest {count} deliveries{scope}. JSON: <a href="{json}">{json}</a>. <a href="">Refresh</a></p>
<table><tr><th>id</th><th>created</th><th>MSN</th><th>reference</th><th>event</th><th>URL</th><th>state</th>
<th>attempts</th><th>last answer</th><th></th></tr>{rows}</table>
<script>document.querySelectorAll("button[data-id]").forEach(b => b.onclick = async () => {{
  const r = await fetch(`/_kasse/webhooks/deliveries/${{b.dataset.id}}/redeliver`, {{method: "POST"}});
  if (r.ok) location.reload(); else alert((await r.json()).detail); }});</script></body></html>"""

_ROW = ("<tr><td>{id}</td><td>{created}</td><td>{msn}</td><td><code>{reference}</code></td><td>{event}</td>"
        "<td><code>{url}</code></td><td class=\"{state}\">{state}</td><td>{attempts}</td><td>{last}</td>"
        "<td>{button}</td></tr>")


def _last_answer(record: DeliveryRecord) -> str:
    if not record.attempts:
        return ""
    a = record.attempts[-1]
    return f"{a.response_code or '-'} in {a.latency_ms} ms" + (f": {a.error}" if a.error else "")


def _row(record: DeliveryRecord) -> str:
    d = record.delivery
    button = "" if d.state is DeliveryState.DISCARDED else f'<button data-id="{d.id}">Redeliver</button>'
    return _ROW.format(
        id=d.id, created=rfc3339(d.created_at), msn=html.escape(d.msn), reference=html.escape(d.reference or ""),
        event=html.escape(d.event_type), url=html.escape(record.url or "(deleted)"), state=d.state.value,
        attempts=d.attempts, last=html.escape(_last_answer(record)), button=button,
    )


async def deliveries_page(request: Request) -> HTMLResponse:
    c = container(request)
    reference, msn = request.query_params.get("reference"), request.query_params.get("msn")
    found = c.db.read(lambda uow: uow.delivery_log.history(reference=reference, msn=msn, limit=200))
    scope = "".join(f" for {k} {html.escape(v)}" for k, v in (("reference", reference), ("MSN", msn)) if v)
    json_url = html.escape(str(request.url.replace(path="/_kasse/webhooks/deliveries")))
    return HTMLResponse(_PAGE.format(count=len(found), scope=scope, json=json_url,
                                     rows="".join(_row(r) for r in found)))


DELIVERIES = "/_kasse/webhooks/deliveries"
OPERATIONS = (
    Operation("GET", DELIVERIES, list_deliveries, "listDeliveries", KASSE_CONTROL, "List webhook deliveries",
              "The newest deliveries first, each with its payload and every attempt: when it was sent, the "
              "receiver's status, the latency and the error.",
              Answer(200, "The deliveries", DeliveryOut, many=True),
              query=(Query("reference", "Only this payment's", {"type": "string"}),
                     Query("msn", "Only this sales unit's", {"type": "string"}),
                     Query("limit", "At most this many (1-1000, default 100)",
                           {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}))),
    Operation("POST", DELIVERIES + "/{delivery_id}/redeliver", redeliver, "redeliver", KASSE_CONTROL,
              "Redeliver a webhook", "Send a delivery again now, whatever its state (a DEAD one comes back to "
              "life).", Answer(200, "The delivery, due now", DeliveryOut), refusals=(409,),
              path_params={"delivery_id": {"type": "integer"}}),
)

ROUTES = [*routes(OPERATIONS), Route("/_kasse/webhooks", deliveries_page, methods=["GET"])]
