"""From a sale to an ePayment create request (contract §5), and from a refusal to words a cashier understands."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kasse.pos.cart import Cart
from kasse.sdk import (
    Amount,
    ApiError,
    BottomLine,
    CreatePaymentRequest,
    Currency,
    Customer,
    CustomerInteraction,
    OrderLine,
    QrFormat,
    Receipt,
    UnitInfo,
    UserFlow,
)

_DIGITS = re.compile(r"\d{8,15}")
# ErrorCode → what the till says (contract §10); anything else shows the platform's own detail
REFUSALS: dict[str, str] = {
    "7010": "No Vipps MobilePay user has this phone number. Check the number or show the QR instead.",
    "4060": "That is not a customer's personal QR code. Ask the customer to open My QR and scan again.",
    "5080": "This sales unit may not send payment requests to a phone. Show the QR instead.",
    "4140": "A payment with this reference exists already.",
}


class CheckoutError(Exception):
    """The till cannot start this payment; `message` is for the cashier."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def phone_number(typed: str) -> str:
    """Return the MSISDN for a typed number: 8 digits are Norwegian; `+` and spaces are dropped."""
    digits = re.sub(r"[\s\-().]", "", typed).removeprefix("+").removeprefix("00")
    if len(digits) == 8 and digits.isdigit():
        digits = "47" + digits
    if not _DIGITS.fullmatch(digits) or len(digits) < 10:
        raise CheckoutError("Enter a phone number like 412 34 567 or +47 412 34 567.")
    return digits


def refusal_message(err: ApiError) -> str:
    """Return the cashier's words for a refused request."""
    if err.error_code and err.error_code in REFUSALS:
        return REFUSALS[err.error_code]
    names = {d.name for d in (*err.extra_details, *err.invalid_params)}
    if "qrCode" in names:
        return REFUSALS["4060"]
    return f"The payment request was refused: {err.detail or err.title or err.status}"


def order_lines(cart: Cart) -> list[dict[str, object]]:
    """The cart as stored receipt lines (plain data, so the sale keeps exactly what was sold)."""
    return [{"id": line.product.id, "name": line.product.name, "quantity": line.quantity,
             "unitPrice": line.product.price, "total": line.total, "vat": line.vat,
             "vatRate": line.product.vat_rate} for line in cart.lines]


def receipt(lines: Sequence[dict[str, object]], currency: str, pos_id: str, number: int) -> Receipt:
    """The receipt sent with the payment, so the app shows the order lines right after the purchase."""

    def line(data: dict[str, object]) -> OrderLine:
        total, vat = int(str(data["total"])), int(str(data["vat"]))
        return OrderLine(name=str(data["name"]), id=str(data["id"]), total_amount=total,
                         total_amount_excluding_tax=total - vat, total_tax_amount=vat,
                         tax_rate=int(str(data["vatRate"])),
                         unit_info=UnitInfo(unit_price=int(str(data["unitPrice"])), quantity=str(data["quantity"])))

    return Receipt(order_lines=[line(d) for d in lines],
                   bottom_line=BottomLine(currency=Currency(currency), pos_id=pos_id, receipt_number=str(number)))


def create_request(*, reference: str, total: int, currency: str, lines: Sequence[dict[str, object]],
                   terminal: str, number: int, customer: Customer | None, description: str,
                   user_flow: UserFlow | None = None, return_url: str | None = None) -> CreatePaymentRequest:
    """An in-person payment: CUSTOMER_PRESENT, a receipt, QR when no customer is known, else a push."""
    flow = user_flow or (UserFlow.QR if customer is None else UserFlow.PUSH_MESSAGE)
    return CreatePaymentRequest(
        amount=Amount(total, Currency(currency)), reference=reference, user_flow=flow, customer=customer,
        customer_interaction=CustomerInteraction.CUSTOMER_PRESENT, payment_description=description,
        receipt=receipt(lines, currency, terminal, number),
        qr_format=QrFormat() if flow is UserFlow.QR else None, return_url=return_url,
    )
