"""What the till says about a refund, in kroner: the amount typed, and the platform's refusals.

A refund refused by the platform is not a payment request refused: the cashier needs to know that nothing
was paid back and why, in the words of the refund, not of the sale.
"""

from __future__ import annotations

from kasse.pos.cart import kr
from kasse.pos.payment_request import CheckoutError
from kasse.pos.sale import Sale, SaleStatus
from kasse.sdk import ApiError

# ErrorCode → what the receipt page says (contract §10); anything else shows the platform's own detail
REFUND_REFUSALS: dict[str, str] = {
    "5100": "The refund was refused: this customer cannot receive refunds here. Nothing was refunded; "
            "give the money back another way.",
    "6020": "The refund was refused: this payment was never reserved. Nothing was refunded.",
    "6150": "The refund was refused: that is more than is left to refund. Nothing was refunded.",
    "6180": "The refund was refused: this sale is refunded already. Nothing more was refunded.",
    "6210": "The refund was refused: this payment cannot be refunded. Nothing was refunded.",
    "6220": "The refund was refused: the refund period for this payment has expired. Nothing was refunded.",
}


def check_refund(sale: Sale, amount: int | None) -> int:
    """Return `amount` if it may be refunded on `sale`; otherwise raise with the cashier's words."""
    if sale.status not in (SaleStatus.PAID, SaleStatus.MISMATCH) or sale.captured <= sale.refunded:
        raise CheckoutError("Nothing is left to refund on this sale.")
    if amount is None:
        raise CheckoutError("Type an amount such as 25,00.")
    if amount <= 0:
        raise CheckoutError("Enter an amount above 0.")
    left = sale.captured - sale.refunded
    if amount > left:
        raise CheckoutError(f"At most {kr(left)} can be refunded on this sale.")
    return amount


def refund_refusal_message(err: ApiError) -> str:
    """Return the cashier's words for a refund the platform refused."""
    if err.error_code and err.error_code in REFUND_REFUSALS:
        return REFUND_REFUSALS[err.error_code]
    reason = str(err.detail or err.title or err.status).rstrip(". ")
    return f"The refund was refused: {reason}. Nothing was refunded."
