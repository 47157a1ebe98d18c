"""From a validated create request to the use case's command, with the URLs the customer will open."""

from __future__ import annotations

from typing import Any

from kasse.api.schemas.epayment import CreatePaymentRequest
from kasse.domain.money import Currency, Money
from kasse.domain.timefmt import parse_rfc3339
from kasse.services.payment_commands import CreatePayment, Customer, CustomerKind, UserFlow

DEFAULT_PNG_SIZE = 1024


def payment_target_url(base_url: str, token: str) -> str:
    """Return the URL a one-time QR encodes: the wallet opens the payment from it."""
    return f"{base_url}/p/{token}"


def redirect_url(base_url: str, body: CreatePaymentRequest, token: str) -> str | None:
    flow = body.userFlow
    if flow == "PUSH_MESSAGE":
        return None
    if flow == "QR":
        fmt = body.qrFormat.format if body.qrFormat else "IMAGE/SVG+XML"
        if fmt == "TEXT/TARGETURL":
            return payment_target_url(base_url, token)
        if fmt == "IMAGE/PNG":
            size = (body.qrFormat.size if body.qrFormat else None) or DEFAULT_PNG_SIZE
            return f"{base_url}/qr-image/v1?token={token}&format=png&size={size}"
        return f"{base_url}/qr-image/v1?token={token}"
    if flow == "NATIVE_REDIRECT":
        return payment_target_url(base_url, token)
    return f"{base_url}/landing?token={token}"


def _customer(body: CreatePaymentRequest) -> Customer | None:
    if body.customer is None:
        return None
    for kind in CustomerKind:
        value = getattr(body.customer, kind.value)
        if value is not None:
            return Customer(kind, value)
    return None


def to_create_command(
    body: CreatePaymentRequest, msn: str, key: str | None, base_url: str, token: str
) -> tuple[CreatePayment, str]:
    wire: dict[str, Any] = body.model_dump(exclude_none=True, exclude={"amount", "reference"})
    if body.receipt is not None:
        wire["receipt"] = body.receipt.to_wire()
    wire["paymentMethod"] = body.paymentMethod.type
    url = redirect_url(base_url, body, token)
    if url:
        wire["redirectUrl"] = url
    scopes = tuple(body.profile.scope.split()) if body.profile and body.profile.scope else ()
    cmd = CreatePayment(
        msn=msn,
        reference=body.reference,
        amount=Money(body.amount.value, Currency(body.amount.currency)),
        user_flow=UserFlow(body.userFlow),
        idempotency_key=key,
        customer=_customer(body),
        return_url=body.returnUrl,
        expires_at=parse_rfc3339(body.expiresAt) if body.expiresAt else None,
        has_receipt=body.receipt is not None,
        payment_method=body.paymentMethod.type,
        blocked_sources=bool(body.paymentMethod.blockedSources),
        scopes=scopes,
        wire=wire,
    )
    return cmd, token
