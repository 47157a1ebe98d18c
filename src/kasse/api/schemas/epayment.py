"""ePayment API v1 request bodies (contract §4.2, §4.5–§4.8)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from kasse.api.schemas.common import Amount, CustomerIn, Receipt, Reference, Strict
from kasse.domain.timefmt import parse_rfc3339

# the spec's pattern for expiresAt: RFC 3339 with an offset or Z
RFC3339 = r"^((?:(\d{4}-\d{2}-\d{2})(T|t)(\d{2}:\d{2}:\d{2}(?:\.\d+)?))(Z|z|([+-](?:2[0-3]|[01][0-9]):[0-5][0-9])))$"


class PaymentMethodIn(Strict):
    type: Literal["WALLET", "CARD", "CARD_PASSTHROUGH"] = "WALLET"
    blockedSources: list[Literal["COMMERCIAL_CARDS"]] | None = None


class QrFormatIn(Strict):
    format: Literal["TEXT/TARGETURL", "IMAGE/SVG+XML", "IMAGE/PNG"] = "IMAGE/SVG+XML"
    size: Annotated[int, Field(ge=100, le=2000)] | None = None


class ProfileIn(Strict):
    scope: Annotated[str, Field(max_length=200)] | None = None


class AirlineData(Strict):
    # the spec requires these four; ticketNumber is optional
    agencyInvoiceNumber: Annotated[str, Field(min_length=1, max_length=6)]
    airlineCode: Annotated[str, Field(min_length=3, max_length=3)]
    airlineDesignatorCode: Annotated[str, Field(min_length=2, max_length=2)]
    passengerName: Annotated[str, Field(min_length=1, max_length=49)]
    ticketNumber: Annotated[str, Field(min_length=1, max_length=150)] | None = None


class IndustryData(Strict):
    airlineData: AirlineData | None = None


_RECEIPT: Any = {"orderLines": [{"name": "Cappuccino", "id": "1", "totalAmount": 4900, "totalAmountExcludingTax": 3920,
                            "totalTaxAmount": 980, "taxRate": 2500}],
            "bottomLine": {"currency": "NOK", "posId": "till-1"}}


class CreatePaymentRequest(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "amount": {"currency": "NOK", "value": 4900}, "paymentMethod": {"type": "WALLET"},
        "reference": "acme-shop-123-order1", "userFlow": "QR", "customerInteraction": "CUSTOMER_PRESENT",
        "paymentDescription": "Cappuccino", "receipt": _RECEIPT}]})

    amount: Amount
    paymentMethod: PaymentMethodIn
    reference: Reference
    userFlow: Literal["PUSH_MESSAGE", "NATIVE_REDIRECT", "WEB_REDIRECT", "QR"]
    customer: CustomerIn | None = None
    minimumUserAge: Annotated[int, Field(ge=0, le=100)] | None = None
    customerInteraction: Literal["CUSTOMER_PRESENT", "CUSTOMER_NOT_PRESENT"] = "CUSTOMER_NOT_PRESENT"
    industryData: IndustryData | None = None
    profile: ProfileIn | None = None
    returnUrl: Annotated[str, Field(max_length=2500)] | None = None
    expiresAt: Annotated[str, Field(pattern=RFC3339)] | None = None
    qrFormat: QrFormatIn | None = None
    paymentDescription: Annotated[str, Field(min_length=3, max_length=100)] | None = None
    receipt: Receipt | None = None
    metadata: dict[str, str] | None = None
    receiptUrl: Annotated[str, Field(max_length=2500)] | None = None

    @field_validator("expiresAt")
    @classmethod
    def _real_moment(cls, value: str | None) -> str | None:
        if value is not None:
            parse_rfc3339(value)  # the pattern admits 2023-02-31; the calendar does not
        return value

    @field_validator("qrFormat")
    @classmethod
    def _qr_format_only_for_qr(cls, value: QrFormatIn | None, info: ValidationInfo) -> QrFormatIn | None:
        # a field validator, so the problem names `qrFormat` (userFlow is declared, and so checked, first)
        if value is not None and info.data.get("userFlow", "QR") != "QR":
            raise ValueError("qrFormat applies only when userFlow is QR")
        return value


class ModificationRequest(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"modificationAmount": {"currency": "NOK",
                                                                                      "value": 4900}}]})

    modificationAmount: Amount


class CancelRequest(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"cancelTransactionOnly": False}]})

    cancelTransactionOnly: bool | None = False


class ForceApproveRequest(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"customer": {"phoneNumber": "4712345678"}}]})

    customer: CustomerIn | None = None
    token: Annotated[str, Field(min_length=1, max_length=256)] | None = None
