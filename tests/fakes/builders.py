"""Valid things to start a use-case test from: a sales unit, a create command, a webhook subscription."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from kasse.domain.merchant import Merchant, hash_secret
from kasse.domain.money import Currency, Market, Money
from kasse.domain.webhook_registration import EVENT_TYPES, Registration
from kasse.services.payment_commands import CreatePayment, UserFlow
from kasse.services.ports import UnitOfWork
from tests.fakes.clock import EPOCH

# every type a registration can subscribe to: the payment events and the static QR check-in
ALL_EVENT_TYPES = EVENT_TYPES


def a_merchant(msn: str = "123456", market: Market = Market.NO, **flags: bool) -> Merchant:
    """Return a sales unit with fixed credentials (`secret`, keys `key-1`/`key-2`)."""
    return Merchant(
        msn=msn,
        name=f"shop {msn}",
        market=market,
        client_id=f"client-{msn}",
        client_secret_hash=hash_secret("secret"),
        subscription_key_hashes=(hash_secret("key-1"), hash_secret("key-2")),
        created_at=EPOCH,
        **flags,
    )


def a_create(
    reference: str = "order-0001", value: int = 49900, msn: str = "123456", **changes: Any
) -> CreatePayment:
    """Return a valid QR create command for the NOK sales unit; `changes` replace fields."""
    cmd = CreatePayment(
        msn=msn,
        reference=reference,
        amount=Money(value, Currency.NOK),
        user_flow=UserFlow.QR,
        idempotency_key=None,
    )
    return replace(cmd, **changes)


def subscribe(uow: UnitOfWork, msn: str, webhook_id: str, event_types: Sequence[str]) -> Registration:
    """Register a webhook straight in the store, past the registration rules, to see what gets queued."""
    registration = Registration(webhook_id, msn, f"https://example.com/{webhook_id}", f"secret-{webhook_id}",
                                tuple(event_types), EPOCH)
    uow.webhooks.add(registration)
    return registration
