"""QR API v1 request bodies (contract §6). Types only: the field rules live in `domain/static_qr.py`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from kasse.api.schemas.common import Strict


class RedirectIn(Strict):
    id: str | None = None
    redirectUrl: str | None = None
    ttl: int | None = None


class RedirectUpdateIn(Strict):
    redirectUrl: str


class CallbackIn(Strict):
    locationDescription: str


class ExchangeIn(Strict):
    qrCode: Annotated[str, Field(min_length=1)]
    requestedData: tuple[Literal["MSISDN"], ...] = ("MSISDN",)


class CustomerRefIn(Strict):
    customerToken: str | None = None


class CustomerExchangeIn(Strict):
    customer: CustomerRefIn | None = None
    requestedData: tuple[Literal["MSISDN"], ...] = ("MSISDN",)


class CategoryIn(Strict):
    """Order Management `Order` (contract §7.2)."""

    category: Literal["GENERAL", "RECEIPT", "ORDER_CONFIRMATION", "DELIVERY", "TICKET", "BOOKING"]
    orderDetailsUrl: Annotated[str, Field(min_length=1, max_length=2500)]
    imageId: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[0-9A-Za-z-_\.]+$")] | None = None
