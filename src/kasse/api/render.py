"""Payments as the wire objects of the ePayment API (contract §4.3–§4.5)."""

from __future__ import annotations

from typing import Any

from kasse.domain.payment import Payment


def create_wire(payment: Payment) -> dict[str, Any]:
    body: dict[str, Any] = {"reference": payment.reference}
    redirect = payment.details.get("redirectUrl")
    if redirect:
        body["redirectUrl"] = redirect
    return body


def payment_wire(payment: Payment) -> dict[str, Any]:
    body: dict[str, Any] = {
        "aggregate": payment.aggregate_wire(),
        "amount": payment.amount.to_wire(),
        "state": payment.state.value,
        "paymentMethod": {"type": payment.details.get("paymentMethod", "WALLET")},
        "profile": {},
        "pspReference": payment.psp_reference,
        "reference": payment.reference,
    }
    for key in ("redirectUrl", "metadata"):
        value = payment.details.get(key)
        if value:
            body[key] = value
    return body


def modification_wire(payment: Payment) -> dict[str, Any]:
    return {
        "amount": payment.amount.to_wire(),
        "state": payment.state.value,
        "aggregate": payment.aggregate_wire(),
        "pspReference": payment.psp_reference,
        "reference": payment.reference,
    }
