"""`POST /_kasse/merchants/{msn}/trigger`: a fresh payment driven to the event asked for (`kasse trigger`).

The create goes through the same command the ePayment API builds from a request body (a QR payment,
customer present, 10.00 in the unit's currency); then each step of `services.trigger.PATHS` runs as its
own use case and transaction, so webhooks fire one by one, as for a real POS and customer.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from kasse.api.body import parse, read_body
from kasse.api.context import container
from kasse.api.control import KASSE_CONTROL
from kasse.api.operations import Answer, Operation, routes
from kasse.api.payment_commands import to_create_command
from kasse.api.problems import ProblemError, status_of
from kasse.api.responses import json_response
from kasse.api.schemas.control_requests import TriggerIn, TriggerOut
from kasse.api.schemas.epayment import CreatePaymentRequest
from kasse.domain.errors import DomainError
from kasse.domain.inbox import WalletError
from kasse.domain.merchant import Merchant
from kasse.services import payments, trigger

AMOUNT = 1000  # 10.00: no magic amount (contract §9), so the approval reserves it


def _create_body(merchant: Merchant, reference: str) -> dict[str, Any]:
    return {"amount": {"currency": merchant.currency.value, "value": AMOUNT}, "paymentMethod": {"type": "WALLET"},
            "reference": reference, "userFlow": "QR", "customerInteraction": "CUSTOMER_PRESENT",
            "paymentDescription": "kasse trigger"}


async def _drive(request: Request, merchant: Merchant, event: str) -> dict[str, Any]:
    c = container(request)
    reference = "trigger-" + "".join(ch for ch in c.ids.token() if ch.isalnum())[:20]  # the API's reference pattern
    body = CreatePaymentRequest.model_validate(_create_body(merchant, reference))
    cmd, token = to_create_command(body, merchant.msn, None, c.settings.base_url, c.ids.token())
    created = await c.db.write(lambda uow: payments.create_payment(uow, c.clock, c.ids, cmd, token))
    steps = [{"step": "create", "state": created.state.value}]
    for step in trigger.PATHS[event]:
        moved = await c.db.write(partial(trigger.take_step, clock=c.clock, ids=c.ids, msn=merchant.msn,
                                         reference=reference, step=step))
        steps.append({"step": step.value, "state": moved.state.value})
    return {"event": event, "msn": merchant.msn, "reference": reference, "steps": steps}


async def trigger_event(request: Request) -> Response:
    c, msn = container(request), request.path_params["msn"]
    event = parse(TriggerIn, await read_body(request)).event
    if event not in trigger.EVENTS:
        raise ProblemError(400, f"Unknown event {event[:40]!r}; valid: {', '.join(trigger.EVENTS)}",
                           [("event", ", ".join(trigger.EVENTS))])
    merchant = await c.db.query(lambda uow: uow.merchants.get(msn)) if len(msn) <= 10 else None
    if merchant is None:
        raise ProblemError(404, f"No sales unit with MSN {msn[:20]!r}", [("msn", "no such sales unit")])
    try:
        if event != trigger.CHECKED_IN:
            return json_response(await _drive(request, merchant, event))
        await c.db.write(lambda uow: trigger.check_in_a_user(uow, c.clock, c.ids, msn, c.settings.base_url))
    except DomainError as exc:
        raise ProblemError(status_of(exc.code), exc.detail, [("event", exc.detail)]) from None
    except (trigger.NoTestUserError, WalletError) as exc:
        raise ProblemError(409, str(exc), [("event", str(exc))]) from None
    return json_response({"event": event, "msn": msn, "reference": None,
                          "steps": [{"step": "check in at the trigger QR", "state": None}]})


OPERATIONS = (
    Operation("POST", "/_kasse/merchants/{msn}/trigger", trigger_event, "triggerEvent", KASSE_CONTROL,
              "Trigger a payment event",
              "Like `stripe trigger`: create a fresh payment for the sales unit and drive it, through the same use "
              "cases as the API and the wallet, to the event asked for: `authorized`, `captured`, `cancelled`, "
              "`refunded`, `expired`, `aborted` or `terminated`; its webhooks go out as usual. `user.checked-in` "
              "has the first test user scan the unit's callback QR `kasse-trigger` (made if missing) instead. "
              "Answers the reference and every step with the payment's state after it.",
              Answer(200, "The payment and the steps taken", TriggerOut), body=TriggerIn, refusals=(404, 409)),
)

ROUTES = routes(OPERATIONS)
