"""The receipt (contract §7.3), the same schema in an ePayment create request and in Order Management, and
what Order Management (§7) keeps beside it per order: the payment type and the category link.

Every money field is an integer in minor units of the bottom line's currency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from kasse.sdk._money import Currency


class QuantityUnit(StrEnum):
    """What an order line's quantity counts."""

    PCS = "PCS"  # pieces; the default
    KG = "KG"  # kilograms, e.g. loose fruit
    KM = "KM"  # kilometres, e.g. a taxi ride
    MINUTE = "MINUTE"  # minutes, e.g. parking
    LITRE = "LITRE"  # litres, e.g. fuel
    KWH = "KWH"  # kilowatt hours, e.g. charging a car


class BarcodeFormat(StrEnum):
    """How a receipt's barcode is drawn in the app."""

    EAN_13 = "EAN-13"  # 13-digit retail barcode
    CODE_39 = "CODE 39"  # alphanumeric linear barcode
    CODE_128 = "CODE 128"  # dense alphanumeric linear barcode


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitInfo:
    """Price and quantity of one order line; a line without it is one piece."""

    unit_price: int | None
    quantity: str  # a decimal string such as "2" or "0.345", never a float
    quantity_unit: QuantityUnit | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLine:
    """One line of a receipt: what was sold, with its totals after discount."""

    name: str
    id: str
    total_amount: int
    total_amount_excluding_tax: int
    total_tax_amount: int
    tax_rate: int | None = None  # hundredths of a percent: 2500 is 25 %
    tax_percentage: int | None = None  # deprecated whole percent; prefer tax_rate
    unit_info: UnitInfo | None = None
    discount: int | None = None
    product_url: str | None = None
    is_return: bool | None = None
    is_shipping: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ShippingInfo:
    """Deprecated shipping totals of a bottom line; send a shipping order line instead."""

    amount: int | None
    amount_excluding_tax: int | None
    tax_amount: int | None
    tax_percentage: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentSources:
    """How a split-tender sale was paid besides the wallet, per source."""

    gift_card: int | None = None
    card: int | None = None
    voucher: int | None = None
    cash: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Barcode:
    """A barcode shown with the receipt."""

    format: BarcodeFormat | None
    data: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class BottomLine:
    """The receipt's footer: currency, tip, POS identity; totals are computed from the lines."""

    currency: Currency
    tip_amount: int | None = None
    pos_id: str | None = None
    receipt_number: str | None = None
    payment_sources: PaymentSources | None = None
    barcode: Barcode | None = None
    gift_card_amount: int | None = None  # deprecated: use payment_sources
    total_amount: int | None = None  # deprecated: computed from the lines
    total_tax: int | None = None  # deprecated: computed from the lines
    total_discount: int | None = None  # deprecated: computed from the lines
    shipping_amount: int | None = None  # deprecated: use a shipping order line
    shipping_info: ShippingInfo | None = None  # deprecated: use a shipping order line
    terminal_id: str | None = None  # deprecated: use pos_id


@dataclass(frozen=True, slots=True, kw_only=True)
class Receipt:
    """A receipt: at least one order line and a bottom line.

    Example:
        >>> receipt = Receipt(
        ...     order_lines=[OrderLine(name="Coffee", id="1", total_amount=4000,
        ...                            total_amount_excluding_tax=3200, total_tax_amount=800, tax_rate=2500)],
        ...     bottom_line=BottomLine(currency=Currency.NOK, pos_id="till-1"),
        ... )
    """

    order_lines: Sequence[OrderLine]
    bottom_line: BottomLine


class PaymentType(StrEnum):
    """Which API the order was paid through."""

    ECOM = "ECOM"  # ePayment (and the older eCom API); in-person payments too
    RECURRING = "RECURRING"  # a Recurring agreement's charge


class OrderCategory(StrEnum):
    """What the order is, which decides how the app presents its link."""

    GENERAL = "GENERAL"  # anything not below
    RECEIPT = "RECEIPT"  # a receipt page
    ORDER_CONFIRMATION = "ORDER_CONFIRMATION"  # a confirmation of an order not yet delivered
    DELIVERY = "DELIVERY"  # tracking of a delivery
    TICKET = "TICKET"  # a ticket for an event or a journey
    BOOKING = "BOOKING"  # a reservation


@dataclass(frozen=True, slots=True, kw_only=True)
class CategoryLink:
    """The category of an order and the merchant page the app links to."""

    category: OrderCategory
    order_details_url: str
    image_id: str | None = None  # an image uploaded to Order Management


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderDetails:
    """What Order Management holds for one order."""

    category: CategoryLink | None = None
    receipt: Receipt | None = None
