"""ePayment API v1 (contract §3 E1–E7): thin routes that parse, delegate and render.

These are plain Starlette endpoints on the hot path: FastAPI's per-request dependency solving cost
more than the handlers themselves (bench/README.md). `api/openapi.py` documents them instead.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from kasse.api.auth import authorize, idempotency_key
from kasse.api.body import parse, read_body
from kasse.api.context import container, counted, idempotent_write
from kasse.api.faults import answer, fire
from kasse.api.payment_commands import to_create_command
from kasse.api.problems import ProblemError, domain_problem
from kasse.api.render import create_wire, modification_wire, payment_wire
from kasse.api.responses import json_response, raw_json
from kasse.api.schemas.epayment import CancelRequest, CreatePaymentRequest, ForceApproveRequest, ModificationRequest
from kasse.domain.errors import DomainError, NotFoundError
from kasse.domain.faults import Endpoint
from kasse.domain.money import Currency, Money
from kasse.services import payments as use
from kasse.services.idempotency import Rendered
from kasse.services.payment_commands import CancelPayment, ModifyPayment
from kasse.services.ports import UnitOfWork

_REFERENCE = re.compile(r"^[a-zA-Z0-9-]{8,64}$")


def _reference(reference: str) -> str:
    if not _REFERENCE.match(reference):
        raise ProblemError(400, "Invalid reference", [("reference", "must match ^[a-zA-Z0-9-]{8,64}$")])
    return reference


async def create_payment(request: Request) -> Response:
    c = container(request)
    msn = authorize(request, c.tokens, c.clock)
    lost = fire(c.faults, msn, Endpoint.CREATE)
    raw = await read_body(request)
    key = idempotency_key(request, required=True)
    body = parse(CreatePaymentRequest, raw)
    cmd, token = to_create_command(body, msn, key, c.settings.base_url, c.ids.token())

    def action(uow: UnitOfWork) -> Rendered:
        payment = use.create_payment(uow, c.clock, c.ids, cmd, token)
        return Rendered(201, orjson.dumps(create_wire(payment)))

    out = await idempotent_write(c, request, msn=msn, key=key, operation="create", body=body, action=action,
                                 limit=(msn, body.reference), reads=(msn, body.reference))
    return answer(raw_json(out.body, out.status), lost)


async def get_payment(request: Request) -> Response:
    reference = request.path_params["reference"]
    c = container(request)
    msn = authorize(request, c.tokens, c.clock)
    lost = fire(c.faults, msn, Endpoint.GET)
    key = request.headers["ocp-apim-subscription-key"]
    payment = await c.db.query(counted(c, "get", key, _reference(reference),
                                       lambda uow: uow.payments.get(msn, reference)))
    if payment is None:
        status, body = domain_problem(NotFoundError(f"Payment '{reference}' not found"), request.url.path)
        return answer(raw_json(body, status), lost)
    return answer(json_response(payment_wire(payment)), lost)


async def get_payment_events(request: Request) -> Response:
    reference = request.path_params["reference"]
    c = container(request)
    msn = authorize(request, c.tokens, c.clock)
    lost = fire(c.faults, msn, Endpoint.EVENTS)
    key = request.headers["ocp-apim-subscription-key"]
    events = await c.db.query(counted(c, "events", key, _reference(reference),
                                      lambda uow: uow.events.list(msn, reference)))
    if not events:
        status, body = domain_problem(NotFoundError(f"Payment '{reference}' not found"), request.url.path)
        return answer(raw_json(body, status), lost)
    return answer(json_response([e.to_wire() for e in events]), lost)


async def _modify(request: Request, operation: str) -> Response:
    reference = request.path_params["reference"]
    c = container(request)
    msn = authorize(request, c.tokens, c.clock)
    lost = fire(c.faults, msn, Endpoint(operation))
    raw = await read_body(request)
    key = idempotency_key(request, required=True)
    body = parse(ModificationRequest, raw)
    _reference(reference)
    amount = Money(body.modificationAmount.value, Currency(body.modificationAmount.currency))
    cmd = ModifyPayment(msn, reference, amount, key)
    run = use.capture_payment if operation == "capture" else use.refund_payment

    def action(uow: UnitOfWork) -> Rendered:
        return Rendered(200, orjson.dumps(modification_wire(run(uow, c.clock, c.ids, cmd))))

    out = await idempotent_write(c, request, msn=msn, key=key, operation=operation, body=body, action=action,
                                 limit=(msn, reference), reads=(msn, reference))
    return answer(raw_json(out.body, out.status), lost)


async def capture_payment(request: Request) -> Response:
    return await _modify(request, "capture")


async def refund_payment(request: Request) -> Response:
    return await _modify(request, "refund")


async def cancel_payment(request: Request) -> Response:
    reference = request.path_params["reference"]
    c = container(request)
    msn = authorize(request, c.tokens, c.clock)
    lost = fire(c.faults, msn, Endpoint.CANCEL)
    raw = await read_body(request)
    key = idempotency_key(request, required=False)
    body = parse(CancelRequest, raw, empty_ok=True)
    _reference(reference)
    cmd = CancelPayment(msn, reference, key, transaction_only=bool(body.cancelTransactionOnly))

    def action(uow: UnitOfWork) -> Rendered:
        return Rendered(200, orjson.dumps(modification_wire(use.cancel_payment(uow, c.clock, c.ids, cmd))))

    out = await idempotent_write(c, request, msn=msn, key=key, operation="cancel", body=body, action=action,
                                 limit=(msn, reference), reads=(msn, reference))
    return answer(raw_json(out.body, out.status), lost)


async def force_approve(request: Request) -> Response:
    reference = request.path_params["reference"]
    c = container(request)
    msn = authorize(request, c.tokens, c.clock)
    if c.settings.production:
        raise ProblemError(403, "Force approve is not available in production mode")
    body = parse(ForceApproveRequest, await read_body(request), empty_ok=True)
    _reference(reference)

    def job(uow: UnitOfWork) -> tuple[int, bytes]:
        try:
            use.force_approve_payment(uow, c.clock, c.ids, msn, reference, body.token)
        except DomainError as err:
            return domain_problem(err, request.url.path)
        return 200, b""

    status, out = await c.db.write(job)
    if status != 200:
        return raw_json(out, status)
    return Response(status_code=200)


PREFIX = "/epayment/v1"
_SERVED = [
    Route(f"{PREFIX}/payments", create_payment, methods=["POST"]),
    Route(f"{PREFIX}/payments/{{reference}}", get_payment, methods=["GET"]),
    Route(f"{PREFIX}/payments/{{reference}}/events", get_payment_events, methods=["GET"]),
    Route(f"{PREFIX}/payments/{{reference}}/capture", capture_payment, methods=["POST"]),
    Route(f"{PREFIX}/payments/{{reference}}/refund", refund_payment, methods=["POST"]),
    Route(f"{PREFIX}/payments/{{reference}}/cancel", cancel_payment, methods=["POST"]),
    Route(f"{PREFIX}/test/payments/{{reference}}/approve", force_approve, methods=["POST"]),
]

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _refusing_other_methods(served: list[Route]) -> list[Route]:
    """Add a 405 route per path so a wrong method is not mistaken for an unknown path (404)."""
    allowed: dict[str, set[str]] = {}
    for route in served:
        allowed.setdefault(route.path, set()).update(route.methods or ())

    def refuse(allow: str) -> Callable[[Request], Awaitable[Response]]:
        async def method_not_allowed(request: Request) -> Response:
            raise ProblemError(405, f"{request.method} is not allowed here", headers={"Allow": allow})

        return method_not_allowed

    extra = [
        Route(path, refuse(", ".join(sorted(methods))), methods=[m for m in _METHODS if m not in methods])
        for path, methods in allowed.items()
    ]
    return [*served, *extra]


ROUTES = _refusing_other_methods(_SERVED)
