"""Shapes several APIs share: amounts, customers, receipts."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CurrencyCode = Literal["NOK", "DKK", "EUR"]
Reference = Annotated[str, Field(pattern=r"^[a-zA-Z0-9-]{8,64}$", min_length=8, max_length=64)]
PhoneNumber = Annotated[str, Field(pattern=r"^\d{9,15}$", min_length=9, max_length=15)]
Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]
NonNegative64 = Annotated[int, Field(ge=0, le=2**63 - 1)]


class Strict(BaseModel):
    """Base of every request model: no coercion (`"6000"` is not an amount), unknown fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class Amount(Strict):
    currency: CurrencyCode
    value: Annotated[int, Field(ge=0, le=65_000_000)]


class CustomerIn(Strict):
    phoneNumber: PhoneNumber | None = None
    personalQr: Annotated[str, Field(min_length=5, max_length=255)] | None = None
    customerToken: Annotated[str, Field(min_length=1, max_length=1024)] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> CustomerIn:
        given = [v for v in (self.phoneNumber, self.personalQr, self.customerToken) if v is not None]
        if len(given) != 1:
            raise ValueError("exactly one of phoneNumber, personalQr and customerToken is required")
        return self


class UnitInfo(Strict):
    unitPrice: NonNegative64 | None
    quantity: Annotated[str, Field(pattern=r"^\d+([\.]\d{1,8})?$", max_length=10)]
    quantityUnit: Literal["PCS", "KG", "KM", "MINUTE", "LITRE", "KWH"] | None = "PCS"


class OrderLine(Strict):
    name: Annotated[str, Field(max_length=2048)]  # contract §7.3: plain strings, "" included
    id: Annotated[str, Field(max_length=255)]
    totalAmount: Int64
    totalAmountExcludingTax: Int64
    totalTaxAmount: Int64
    taxPercentage: Annotated[int, Field(ge=0, le=100)] | None = None
    taxRate: Annotated[int, Field(ge=0, le=10000)] | None = None
    unitInfo: UnitInfo | None = None
    discount: NonNegative64 | None = None
    productUrl: str | None = None
    isReturn: bool | None = None
    isShipping: bool | None = None

    @model_validator(mode="after")
    def _one_tax(self) -> OrderLine:
        if self.taxRate is None and self.taxPercentage is None:
            raise ValueError("one of taxRate and taxPercentage is required")
        return self


class Barcode(Strict):
    format: Literal["EAN-13", "CODE 39", "CODE 128"] | None
    data: str | None


class PaymentSources(Strict):
    giftCard: Int64 | None = None
    card: Int64 | None = None
    voucher: Int64 | None = None
    cash: Int64 | None = None


class ShippingInfo(Strict):
    amount: NonNegative64 | None
    amountExcludingTax: NonNegative64 | None
    taxAmount: NonNegative64 | None
    taxPercentage: Annotated[int, Field(ge=0, le=100)] | None


class BottomLine(Strict):
    currency: CurrencyCode
    tipAmount: NonNegative64 | None = None
    giftCardAmount: NonNegative64 | None = None
    posId: str | None = None
    totalAmount: Int64 | None = None
    totalTax: NonNegative64 | None = None
    totalDiscount: NonNegative64 | None = None
    shippingAmount: NonNegative64 | None = None
    shippingInfo: ShippingInfo | None = None
    paymentSources: PaymentSources | None = None
    barcode: Barcode | None = None
    receiptNumber: str | None = None
    terminalId: str | None = None


class Receipt(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "orderLines": [{"name": "Cappuccino", "id": "1", "totalAmount": 4900, "totalAmountExcludingTax": 3920,
                        "totalTaxAmount": 980, "taxRate": 2500, "unitInfo": {"unitPrice": 4900, "quantity": "1"}}],
        "bottomLine": {"currency": "NOK", "posId": "till-1", "receiptNumber": "0042"}}]})

    orderLines: Annotated[list[OrderLine], Field(min_length=1)]
    bottomLine: BottomLine

    def to_wire(self) -> dict[str, Any]:
        """The receipt as stored and read back: optional fields left out when null, required ones kept."""
        return _wire(self)


def _wire(model: BaseModel) -> dict[str, Any]:
    # like model_dump(exclude_none=True), except for the fields the spec requires but lets be null
    # (UnitInfo.unitPrice, Barcode.format and .data): those keep their null, or OrderV2Response breaks
    out: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if value is None and not info.is_required():
            continue
        if isinstance(value, BaseModel):
            value = _wire(value)
        elif isinstance(value, list):
            value = [_wire(item) if isinstance(item, BaseModel) else item for item in value]
        out[name] = value
    return out
