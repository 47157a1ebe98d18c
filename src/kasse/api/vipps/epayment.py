"""ePayment API v1 (contract §3 E1–E7): thin routes that delegate to the use cases and render.

Plain Starlette endpoints on the hot path; `api/payment_request.py` does what each one needs first,
and `OPERATIONS` is both their routing table and their documentation.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from starlette.requests import Request
from starlette.responses import Response

from kasse.api.operations import Access, Answer, Api, Header, Operation, routes, system_headers
from kasse.api.payment_commands import to_create_command
from kasse.api.payment_request import begin
from kasse.api.problems import ProblemError, domain_problem
from kasse.api.render import create_wire, modification_wire, payment_wire
from kasse.api.responses import json_response, raw_json
from kasse.api.schemas.epayment import CancelRequest, CreatePaymentRequest, ForceApproveRequest, ModificationRequest
from kasse.api.schemas.epayment_answers import (
    EVENT_LOG,
    CreatePaymentResponse,
    GetPaymentResponse,
    ModificationResponse,
    PaymentEvent,
)
from kasse.domain.errors import DomainError, NotFoundError
from kasse.domain.faults import Endpoint
from kasse.domain.money import Currency, Money
from kasse.services import payments as use
from kasse.services.payment_commands import CancelPayment, ModifyPayment
from kasse.services.ports import UnitOfWork


async def create_payment(request: Request) -> Response:
    call = await begin(request, Endpoint.CREATE, CreatePaymentRequest, key=True)
    c, reference = call.c, call.body.reference
    cmd, token = to_create_command(call.body, call.msn, call.key, c.settings.base_url, c.ids.token())
    create = partial(use.create_payment, clock=c.clock, ids=c.ids, cmd=cmd, token=token)
    return await call.write("create", reference, create, create_wire, 201)


async def get_payment(request: Request) -> Response:
    call = await begin(request, Endpoint.GET)
    reference, msn = call.reference(), call.msn
    payment = await call.read("get", request.headers["ocp-apim-subscription-key"], reference,
                              lambda uow: uow.payments.get(msn, reference))
    if payment is None:
        return call.answer(_not_found(reference, call.path))
    return call.answer(json_response(payment_wire(payment)))


async def get_payment_events(request: Request) -> Response:
    call = await begin(request, Endpoint.EVENTS)
    reference, msn = call.reference(), call.msn
    events = await call.read("events", request.headers["ocp-apim-subscription-key"], reference,
                             lambda uow: uow.events.list(msn, reference))
    if not events:
        return call.answer(_not_found(reference, call.path))
    return call.answer(json_response([e.to_wire() for e in events]))


def _not_found(reference: str, path: str) -> Response:
    status, body = domain_problem(NotFoundError(f"Payment '{reference}' not found"), path)
    return raw_json(body, status)


async def _modify(request: Request, operation: str) -> Response:
    call = await begin(request, Endpoint(operation), ModificationRequest, key=True)
    reference = call.reference()
    amount = Money(call.body.modificationAmount.value, Currency(call.body.modificationAmount.currency))
    cmd = ModifyPayment(call.msn, reference, amount, call.key)
    run = use.capture_payment if operation == "capture" else use.refund_payment
    return await call.write(operation, reference, partial(run, clock=call.c.clock, ids=call.c.ids, cmd=cmd),
                            modification_wire)


async def capture_payment(request: Request) -> Response:
    return await _modify(request, "capture")


async def refund_payment(request: Request) -> Response:
    return await _modify(request, "refund")


async def cancel_payment(request: Request) -> Response:
    call = await begin(request, Endpoint.CANCEL, CancelRequest, key=True, empty_ok=True)
    reference = call.reference()
    cmd = CancelPayment(call.msn, reference, call.key, transaction_only=bool(call.body.cancelTransactionOnly))
    cancel = partial(use.cancel_payment, clock=call.c.clock, ids=call.c.ids, cmd=cmd)
    return await call.write("cancel", reference, cancel, modification_wire)


async def force_approve(request: Request) -> Response:
    c = request.app.state.container
    if c.settings.production:
        raise ProblemError(403, "Force approve is not available in production mode")
    call = await begin(request, None, ForceApproveRequest, empty_ok=True)  # no API faults on the test helper
    reference = call.reference()

    def job(uow: UnitOfWork) -> tuple[int, bytes]:
        try:
            use.force_approve_payment(uow, c.clock, c.ids, call.msn, reference, call.body.token)
        except DomainError as err:
            return domain_problem(err, call.path)
        return 200, b""

    status, out = await c.db.write(job)
    return raw_json(out, status) if status != 200 else Response(status_code=200)


EPAYMENT = Api("ePayment", "Create payments, follow them and capture, refund or cancel them.")
PAYMENTS = "/epayment/v1/payments"
SYSTEM = system_headers(30)
IDEMPOTENCY_KEY = Header("Idempotency-Key", "Makes a retry safe: the same key and body replay the first answer, "
                         "a different body under the same key is a 409.", required=True,
                         max_length=50, ascii_only=True, example="6ffd4a4d-2cb6-4f5c-a2b5-0d4ef0c1c3c2")
REFERENCE = {"reference": {"type": "string", "pattern": "^[a-zA-Z0-9-]{8,64}$", "example": "acme-shop-123-order1"}}
_WRITE_REFUSALS = (404, 409, 423, 429, 503)
_AFTER = (" The answer is the payment's amounts after the operation; its state stays AUTHORIZED. A webhook "
          "follows once the change is committed.")

OPERATIONS = (
    Operation("POST", PAYMENTS, create_payment, "createPayment", EPAYMENT, "Create a payment",
              "Start a payment for the customer to approve. `userFlow` says how it reaches them: `QR` returns "
              "the link of a one-time QR for a customer-facing screen, `PUSH_MESSAGE` sends it to the phone "
              "number or personal QR in `customer`, `WEB_REDIRECT` and `NATIVE_REDIRECT` return a landing page "
              "or deep link. In-person sales send `customerInteraction: CUSTOMER_PRESENT`. The payment expires "
              "after 10 minutes unless approved (or at `expiresAt`).",
              Answer(201, "Created: the reference, and where the customer goes next", CreatePaymentResponse),
              Access.MERCHANT, (IDEMPOTENCY_KEY, *SYSTEM), CreatePaymentRequest, refusals=(409, 423, 429)),
    Operation("GET", PAYMENTS + "/{reference}", get_payment, "getPayment", EPAYMENT, "Get a payment",
              "The payment's state and aggregate (authorized, captured, cancelled and refunded amounts). Poll it "
              "besides listening to webhooks: start after 5 seconds, then every 2 seconds.",
              Answer(200, "The payment", GetPaymentResponse), Access.MERCHANT, refusals=(404, 429),
              path_params=REFERENCE),
    Operation("GET", PAYMENTS + "/{reference}/events", get_payment_events, "getPaymentEventLog", EPAYMENT,
              "Get the event log", "Every event of the payment, oldest first, each with its own pspReference "
              "and the amount of that operation. The authoritative record of what happened.",
              Answer(200, "The event log", PaymentEvent, many=True, example=EVENT_LOG), Access.MERCHANT,
              refusals=(404, 429), path_params=REFERENCE),
    Operation("POST", PAYMENTS + "/{reference}/capture", capture_payment, "capturePayment", EPAYMENT, "Capture",
              "Take money the customer reserved: all of it or part, as often as needed up to the authorized "
              "amount less what was cancelled. An in-person sale is paid when the answer's "
              "`aggregate.capturedAmount` equals the sale total." + _AFTER,
              Answer(200, "The payment after the capture", ModificationResponse), Access.MERCHANT,
              (IDEMPOTENCY_KEY, *SYSTEM), ModificationRequest, refusals=_WRITE_REFUSALS, path_params=REFERENCE),
    Operation("POST", PAYMENTS + "/{reference}/refund", refund_payment, "refundPayment", EPAYMENT, "Refund",
              "Give captured money back, all or part, up to what was captured less what was refunded." + _AFTER,
              Answer(200, "The payment after the refund", ModificationResponse), Access.MERCHANT,
              (IDEMPOTENCY_KEY, *SYSTEM), ModificationRequest, refusals=_WRITE_REFUSALS, path_params=REFERENCE),
    Operation("POST", PAYMENTS + "/{reference}/cancel", cancel_payment, "cancelPayment", EPAYMENT, "Cancel",
              "Before approval the payment ends TERMINATED; after it, the uncaptured remainder is released (the "
              "vending pattern: reserve the highest price, capture the chosen item, cancel the rest). "
              "`cancelTransactionOnly: true` refuses to release a reservation the customer just approved.",
              Answer(200, "The payment after the cancel", ModificationResponse), Access.MERCHANT,
              (replace(IDEMPOTENCY_KEY, required=False), *SYSTEM),
              CancelRequest, body_required=False, refusals=_WRITE_REFUSALS, path_params=REFERENCE),
    Operation("POST", "/epayment/v1/test/payments/{reference}/approve", force_approve, "forceApprovePayment",
              EPAYMENT, "Force approve (test only)",
              "Approve a payment as its customer would, without the wallet: name the customer, or send the token "
              "of the create answer's redirectUrl. Refused in production mode.",
              Answer(200, "Approved: the payment is AUTHORIZED"), Access.MERCHANT, body=ForceApproveRequest,
              body_required=False, refusals=(404, 409), path_params=REFERENCE),
)

ROUTES = routes(OPERATIONS)
