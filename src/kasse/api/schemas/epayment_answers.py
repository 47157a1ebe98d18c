"""ePayment API v1 answers (contract §4.2–§4.5), for the docs: the handlers render these shapes with orjson."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

State = Literal["CREATED", "AUTHORIZED", "ABORTED", "EXPIRED", "TERMINATED"]
EventName = Literal["CREATED", "AUTHORIZED", "ABORTED", "EXPIRED", "CANCELLED", "CAPTURED", "REFUNDED", "TERMINATED"]

REFERENCE = "acme-shop-123-order123abc"
PSP_REFERENCE = "37c34d8c-2649-448e-864b-060d5d93e4c4"


def _example(value: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [value]})


class AmountOut(BaseModel):
    currency: Literal["NOK", "DKK", "EUR"]
    value: Annotated[int, Field(description="Minor units: 49900 is 499.00")]


AMOUNT = {"currency": "NOK", "value": 49900}
ZERO = {"currency": "NOK", "value": 0}
AGGREGATE = {"authorizedAmount": AMOUNT, "cancelledAmount": ZERO, "capturedAmount": {"currency": "NOK", "value": 20000},
             "refundedAmount": ZERO}


class CreatePaymentResponse(BaseModel):
    model_config = _example({"reference": REFERENCE, "redirectUrl": "http://127.0.0.1:8000/qr-image/v1?token=7Yx2"})

    reference: str
    redirectUrl: Annotated[str | None, Field(description="The QR image, landing page or deep link; "
                                                         "absent for PUSH_MESSAGE")] = None


class Aggregate(BaseModel):
    authorizedAmount: AmountOut
    cancelledAmount: AmountOut
    capturedAmount: AmountOut
    refundedAmount: AmountOut


class PaymentMethodOut(BaseModel):
    type: Literal["WALLET", "CARD", "CARD_PASSTHROUGH"]


class GetPaymentResponse(BaseModel):
    model_config = _example({"aggregate": AGGREGATE, "amount": AMOUNT, "state": "AUTHORIZED",
                             "paymentMethod": {"type": "WALLET"}, "profile": {}, "pspReference": PSP_REFERENCE,
                             "reference": REFERENCE})

    aggregate: Aggregate
    amount: AmountOut
    state: State
    paymentMethod: PaymentMethodOut
    profile: dict[str, str]
    pspReference: Annotated[str, Field(description="The pspReference of the CREATED event")]
    reference: str
    redirectUrl: str | None = None
    metadata: dict[str, str] | None = None


class ModificationResponse(BaseModel):
    model_config = _example({"amount": AMOUNT, "state": "AUTHORIZED", "aggregate": AGGREGATE,
                             "pspReference": PSP_REFERENCE, "reference": REFERENCE})

    amount: AmountOut
    state: State
    aggregate: Aggregate
    pspReference: str
    reference: str


EVENT = {"reference": REFERENCE, "pspReference": "6b8c3a1e-2f0d-4b7a-9c55-0e2d4f6a8b10", "name": "AUTHORIZED",
         "amount": AMOUNT, "timestamp": "2026-03-27T10:51:59.378Z",
         "idempotencyKey": "c6b4c6a2-8b1f-4a41-9d3e-5a2f1e0b7c93", "success": True}
EVENT_LOG = [{**EVENT, "name": "CREATED", "pspReference": PSP_REFERENCE, "timestamp": "2026-03-27T10:50:12.004Z"},
             EVENT]


class PaymentEvent(BaseModel):
    model_config = _example(EVENT)

    reference: str
    pspReference: Annotated[str, Field(description="This event's own pspReference")]
    name: EventName
    amount: Annotated[AmountOut, Field(description="The amount of this operation, not a running total")]
    timestamp: str
    idempotencyKey: str | None
    success: bool
