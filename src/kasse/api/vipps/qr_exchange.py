"""QR API v1: the two exchanges of contract §3 (Q12, Q13), a scanned personal QR or a check-in's token for an MSISDN.

Their refusals use `extraDetails` instead of `invalidParams`, as their spec says.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from kasse.api.body import read_body
from kasse.api.invalid_params import EXCHANGE_DETAIL, Naming, ParamsProblemError, parse_params
from kasse.api.operations import Access, Answer, Operation, routes
from kasse.api.responses import json_response
from kasse.api.schemas.qr import CustomerExchangeIn, CustomerExchangeOut, ExchangeIn, ExchangeOut
from kasse.api.vipps.qr import QR, container
from kasse.domain.static_qr import QrError
from kasse.services import qr_codes as use


def _exchange_problem(err: QrError) -> ParamsProblemError:
    return ParamsProblemError(400, EXCHANGE_DETAIL, err.invalid_params, extra_details=True)


async def exchange(request: Request) -> Response:
    c = container(request)
    body = parse_params(ExchangeIn, await read_body(request), Naming.CAMEL, extra_details=True)
    try:
        found = c.db.read(lambda uow: use.exchange(uow, body.qrCode))
    except QrError as err:
        raise _exchange_problem(err) from None
    out: dict[str, object] = {"msisdn": found.msisdn}
    if found.timestamp is not None:
        out["timestamp"] = found.timestamp
    out["version"] = found.version.value if found.version else "2.0"
    return json_response(out)


async def exchange_customer(request: Request) -> Response:
    c, msn = container(request), request.user.msn
    body = parse_params(CustomerExchangeIn, await read_body(request), Naming.CAMEL, extra_details=True)
    token = body.customer.customerToken if body.customer else None
    try:
        found = c.db.read(lambda uow: use.exchange_customer(uow, c.clock, msn, token))
    except QrError as err:
        raise _exchange_problem(err) from None
    return json_response({"msisdn": found.msisdn, "timestamp": found.timestamp})


OPERATIONS = (
    Operation("POST", "/qr/v1/exchange", exchange, "exchangeQr", QR, "Exchange a personal QR",
              "Send everything the scanner read from the customer's personal QR (either format); get their "
              "phone number, to create a PUSH_MESSAGE payment for it.",
              Answer(200, "The customer's phone number", ExchangeOut), Access.MERCHANT_MSN_OPTIONAL, body=ExchangeIn),
    Operation("POST", "/qr/v1/exchange/customer", exchange_customer, "exchangeCustomer", QR,
              "Exchange a check-in's customerToken",
              "The phone number behind the customerToken of a `user.checked-in.v1` webhook of this sales unit, "
              "while the token is valid.",
              Answer(200, "The customer's phone number", CustomerExchangeOut), Access.MERCHANT_MSN_OPTIONAL,
              body=CustomerExchangeIn),
)

ROUTES = routes(OPERATIONS)
