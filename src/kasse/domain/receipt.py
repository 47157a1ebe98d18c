"""A receipt as the wallet shows it (contract §7.3): lines, and totals computed from the lines.

The deprecated bottom-line totals are ignored, as the app does: a return line counts negative, the
tip is added, and nothing checks the sum against the payment amount (the contract states no rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kasse.domain.money import Currency, Money


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """One order line, signed: a return's amount is negative."""

    name: str
    quantity: str
    unit: str
    amount: Money
    tax: Money
    discount: Money
    is_shipping: bool


@dataclass(frozen=True, slots=True)
class ReceiptSummary:
    """What the receipt screen shows."""

    lines: tuple[ReceiptLine, ...]
    total: Money
    total_tax: Money
    tip: Money
    receipt_number: str | None
    pos_id: str | None


def _line(raw: Mapping[str, Any], currency: Currency) -> ReceiptLine:
    sign = -1 if raw.get("isReturn") else 1
    unit_info = raw.get("unitInfo") or {}
    return ReceiptLine(
        name=str(raw["name"]),
        quantity=str(unit_info.get("quantity", "1")),
        unit=str(unit_info.get("quantityUnit") or "PCS"),
        amount=Money(sign * int(raw["totalAmount"]), currency),
        tax=Money(sign * int(raw["totalTaxAmount"]), currency),
        discount=Money(int(raw.get("discount") or 0), currency),
        is_shipping=bool(raw.get("isShipping")),
    )


def summarize(receipt: Mapping[str, Any]) -> ReceiptSummary:
    """Return the lines and totals of a receipt in the Order Management wire shape."""
    bottom = receipt["bottomLine"]
    currency = Currency(bottom["currency"])
    lines = tuple(_line(raw, currency) for raw in receipt["orderLines"])
    tip = Money(int(bottom.get("tipAmount") or 0), currency)
    total = sum((line.amount for line in lines), Money.zero(currency)) + tip
    tax = sum((line.tax for line in lines), Money.zero(currency))
    return ReceiptSummary(lines, total, tax, tip, bottom.get("receiptNumber"), bottom.get("posId"))


@dataclass(frozen=True, slots=True)
class StoredReceipt:
    """A receipt attached to an order through Order Management; immutable once stored (contract §7.1)."""

    receipt_id: str
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class OrderCategory:
    """The category link of an order (contract §7.2); the latest one replaces the one before."""

    category_id: str
    category: str
    order_details_url: str
    image_id: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """Return the Order Management `Order` object."""
        body: dict[str, Any] = {"category": self.category, "orderDetailsUrl": self.order_details_url}
        if self.image_id is not None:
            body["imageId"] = self.image_id
        return body


class OrderErrorKind(StrEnum):
    """Why the Order Management API refuses a request."""

    INVALID = "INVALID"  # a field or path parameter breaks the API's rules
    NOT_FOUND = "NOT_FOUND"  # nothing is stored for the order
    CONFLICT = "CONFLICT"  # the order has a receipt already; receipts are immutable


class OrderError(Exception):
    """A refusal of the Order Management API; `invalid_params` names each bad field."""

    def __init__(self, kind: OrderErrorKind, detail: str, invalid_params: list[tuple[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.invalid_params = invalid_params or []
