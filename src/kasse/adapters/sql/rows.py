"""Mapping between rows and domain objects; the one place that knows both shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from kasse.adapters.sql import statements, tables
from kasse.domain.events import PaymentEvent
from kasse.domain.merchant import Merchant
from kasse.domain.money import Currency, Market, Money
from kasse.domain.payment import Payment
from kasse.domain.payment_state import EventName, PaymentState

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> datetime:
    return datetime.fromtimestamp(us // 1_000_000, UTC).replace(microsecond=us % 1_000_000)


PAYMENT_COLUMNS = statements.columns(tables.payments, ("token",))  # what `payment_from_row` reads
PAYMENT_INSERT = statements.insert(tables.payments)


def payment_from_row(row: Any) -> Payment:
    currency = Currency(row[4])
    return Payment(
        msn=row[0],
        reference=row[1],
        psp_reference=row[2],
        state=PaymentState(row[3]),
        amount=Money(row[5], currency),
        authorized=row[6],
        captured=row[7],
        refunded=row[8],
        cancelled=row[9],
        created_at=from_us(row[10]),
        expires_at=from_us(row[11]),
        version=row[12],
        idempotency_key=row[13],
        details=orjson.loads(row[14]),
    )


def payment_to_row(p: Payment, token: str | None) -> tuple[Any, ...]:
    """Return the row for `PAYMENT_INSERT`: every column of `tables.payments`, in its order."""
    return (
        p.msn, p.reference, p.psp_reference, p.state.value, p.amount.currency.value, p.amount.value,
        p.authorized, p.captured, p.refunded, p.cancelled, to_us(p.created_at), to_us(p.expires_at),
        p.version, p.idempotency_key, token, orjson.dumps(p.details).decode(),
    )


EVENT_COLUMNS = statements.columns(tables.payment_events, ("id",))


def event_from_row(row: Any) -> PaymentEvent:
    return PaymentEvent(
        msn=row[0],
        reference=row[1],
        psp_reference=row[2],
        name=EventName(row[3]),
        amount=Money(row[5], Currency(row[4])),
        timestamp=from_us(row[6]),
        idempotency_key=row[7],
        success=bool(row[8]),
    )


def event_to_row(e: PaymentEvent) -> tuple[Any, ...]:
    return (
        e.msn, e.reference, e.psp_reference, e.name.value, e.amount.currency.value, e.amount.value,
        to_us(e.timestamp), e.idempotency_key, e.success,
    )


MERCHANT_COLUMNS = statements.columns(tables.merchants)


def merchant_from_row(row: Any) -> Merchant:
    return Merchant(
        msn=row[0],
        name=row[1],
        market=Market(row[2]),
        client_id=row[3],
        client_secret_hash=row[4],
        subscription_key_hashes=(row[5], row[6]),
        push_allowed=bool(row[7]),
        partial_capture_allowed=bool(row[8]),
        long_living_allowed=bool(row[9]),
        created_at=from_us(row[10]),
    )


def merchant_to_row(m: Merchant) -> tuple[Any, ...]:
    return (
        m.msn, m.name, m.market.value, m.client_id, m.client_secret_hash, m.subscription_key_hashes[0],
        m.subscription_key_hashes[1], m.push_allowed, m.partial_capture_allowed, m.long_living_allowed,
        to_us(m.created_at),
    )
