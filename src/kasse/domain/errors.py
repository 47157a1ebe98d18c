"""Every domain failure has a stable ErrorCode; titles follow the contract (§4.10.2).

Clients branch on the code, never on the text. The HTTP status for each code lives in one
table in `api/problems.py`.
"""

from __future__ import annotations

from enum import IntEnum


class ErrorCode(IntEnum):
    """A stable ePayment error code; the title is what the API shows beside it."""

    title: str

    def __new__(cls, code: int, title: str) -> ErrorCode:  # noqa: D102
        member = int.__new__(cls, code)
        member._value_ = code
        member.title = title
        return member

    INTERNAL_ERROR = 3010, "Internal error"
    CAPTURE_IDEMPOTENCY_CONFLICT = 4010, "Capture idempotency conflict"
    IDEMPOTENCY_ERROR = 4020, "Idempotency error"
    INVALID_AMOUNT = 4040, "Invalid amount"
    INVALID_CUSTOMER_TOKEN = 4050, "Invalid CustomerToken"
    INVALID_PERSONAL_QR = 4060, "Invalid PersonalQr"
    INVALID_PHONE_NUMBER = 4070, "Invalid phone number"
    INVALID_SCOPE = 4080, "Invalid scope"
    INVALID_URL = 4090, "Invalid URL"
    METADATA_CAPACITY_EXCEEDED = 4100, "Metadata capacity exceeded"
    METADATA_DUPLICATE_KEYS = 4110, "Metadata duplicate keys"
    METADATA_KEY_TOO_LONG = 4120, "Metadata key too long"
    METADATA_VALUE_TOO_LONG = 4130, "Metadata value too long"
    MISSING_REQUIRED_PARAMETER = 4140, "Missing required parameter"
    REFERENCE_EXISTS = 4150, "Reference already exists"
    INVALID_PAYMENT_METHOD_TYPE = 4160, "Invalid payment method type"
    BLOCKED_SOURCES_NOT_APPLICABLE = 5010, "Blocking sources not applicable"
    EXPRESS_NOT_ALLOWED = 5020, "Express payment not allowed"
    ILLEGAL_SCOPE = 5030, "Illegal scope"
    INVALID_CURRENCY_FOR_MERCHANT = 5040, "Invalid currency for merchant"
    LONG_LIVING_NOT_ALLOWED = 5050, "Long-living payment not allowed"
    PAYMENT_CANNOT_BE_CREATED = 5070, "Payment cannot be created"
    PUSH_MESSAGE_NOT_ALLOWED = 5080, "PUSH_MESSAGE not allowed"
    REFERENCE_NOT_FOUND = 5090, "Reference not found"
    REFUND_NOT_POSSIBLE = 5100, "Refund not possible"
    AMOUNT_TOO_SMALL = 6010, "Amount too small"
    REFUND_BEFORE_RESERVATION = 6020, "Attempted refund before reservation"
    CANCEL_PERIOD_EXPIRED = 6030, "Cancel period expired"
    CANNOT_CANCEL_CAPTURED = 6040, "Cannot cancel a captured payment"
    CANNOT_CANCEL_NON_RESERVED = 6050, "Cannot cancel a non-reserved payment"
    CANNOT_CANCEL_AUTHORIZED = 6060, "Cannot cancel authorized payment"
    CANNOT_CAPTURE_CANCELLED = 6070, "Cannot capture a cancelled payment"
    CAPTURE_BEFORE_RESERVATION = 6080, "Cannot capture before reservation"
    CAPTURE_AMOUNT_TOO_HIGH = 6090, "Capture amount too high"
    CAPTURE_PERIOD_EXPIRED = 6100, "Capture period expired"
    EXPIRATION_TOO_LATE = 6110, "Expiration date too late"
    EXPIRATION_TOO_SOON = 6120, "Expiration date too soon"
    LONG_LIVING_REQUIRES_RECEIPT = 6130, "Long living payments require a receipt"
    MUST_CAPTURE_FULL_AMOUNT = 6140, "Must capture full amount"
    NOT_ENOUGH_REFUNDABLE = 6150, "Not enough refundable"
    ORDER_PROCESSING = 6160, "Order processing"
    ALREADY_CAPTURED = 6170, "Payment already captured"
    ALREADY_REFUNDED = 6180, "Payment already refunded"
    CANNOT_BE_CANCELLED = 6190, "Payment cannot be cancelled"
    CANNOT_BE_CAPTURED = 6200, "Payment cannot be captured"
    CANNOT_BE_REFUNDED = 6210, "Payment cannot be refunded"
    REFUND_PERIOD_EXPIRED = 6220, "Refund period expired"
    ALREADY_RESERVED = 6230, "Payment is already reserved"
    CANNOT_CANCEL_PROCESSING = 6250, "Cannot cancel processing payment"
    FUNDS_UNAVAILABLE = 6260, "Funds unavailable"
    CAPTURE_FAILED = 6280, "Capture failed, please try again later"
    CUSTOMER_NOT_FOUND = 7010, "Customer not found"
    APPROVE_FAILED = 10010, "Approve failed"
    APPROVE_NOT_ALLOWED = 10020, "Approve not allowed"
    INVALID_PAYMENT_SOURCE = 10040, "Invalid payment source"
    PAYMENT_LIMIT_EXCEEDED = 10070, "Payment limit exceeded"


class DomainError(Exception):
    """A request the rules refuse; carries its ErrorCode and a detail for people."""

    def __init__(self, code: ErrorCode, detail: str | None = None) -> None:
        super().__init__(detail or code.title)
        self.code = code
        self.detail = detail or code.title


class NotFoundError(DomainError):
    """The payment (or other resource) does not exist for this sales unit."""

    def __init__(self, detail: str) -> None:
        super().__init__(ErrorCode.REFERENCE_NOT_FOUND, detail)


class UnstorableTextError(ValueError):
    """Text holding a NUL character: PostgreSQL cannot store or even look one up, so no request may carry one."""

    def __init__(self) -> None:
        super().__init__("Text may not contain a NUL character (\\u0000 or %00).")
