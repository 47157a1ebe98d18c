"""The schema as SQLAlchemy Core tables; Alembic migrations must produce exactly this (a test checks).

Times are integer microseconds since the epoch (UTC): compact, ordered, and the same on both backends.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()

merchants = Table(
    "merchants",
    metadata,
    Column("msn", String(10), primary_key=True),
    Column("name", Text, nullable=False),
    Column("market", String(2), nullable=False),
    Column("client_id", String(64), nullable=False, unique=True),
    Column("client_secret_hash", String(64), nullable=False),
    Column("subscription_key_primary", String(64), nullable=False),
    Column("subscription_key_secondary", String(64), nullable=False),
    Column("push_allowed", Boolean, nullable=False),
    Column("partial_capture_allowed", Boolean, nullable=False),
    Column("long_living_allowed", Boolean, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

payments = Table(
    "payments",
    metadata,
    Column("msn", String(10), primary_key=True),
    Column("reference", String(64), primary_key=True),
    Column("psp_reference", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("authorized", BigInteger, nullable=False),
    Column("captured", BigInteger, nullable=False),
    Column("refunded", BigInteger, nullable=False),
    Column("cancelled", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("idempotency_key", String(50)),
    Column("token", String(64), unique=True),
    Column("details", Text, nullable=False),
)
Index("payments_due", payments.c.expires_at, sqlite_where=text("state = 'CREATED'"),
      postgresql_where=text("state = 'CREATED'"))

payment_events = Table(
    "payment_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("msn", String(10), nullable=False),
    Column("reference", String(64), nullable=False),
    Column("psp_reference", String(64), nullable=False),
    Column("name", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("idempotency_key", String(50)),
    Column("success", Boolean, nullable=False),
)
Index("payment_events_by_payment", payment_events.c.msn, payment_events.c.reference, payment_events.c.id)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("msn", String(10), primary_key=True),
    Column("key", String(50), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("msn", String(10), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),
    Column("events", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("webhook_id", String(36), ForeignKey("webhooks.id", ondelete="CASCADE"), primary_key=True),
    Column("event_type", String(64), primary_key=True),
    Column("msn", String(10), nullable=False),
)
Index("webhook_subscriptions_lookup", webhook_subscriptions.c.msn, webhook_subscriptions.c.event_type)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("webhook_id", String(36), nullable=False),
    Column("msn", String(10), nullable=False),
    Column("reference", String(64)),
    Column("event_id", BigInteger),
    Column("event_type", String(64), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("next_attempt_at", BigInteger, nullable=False),
    Column("last_attempt_at", BigInteger),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("last_latency_ms", Integer),
    Column("delivered_at", BigInteger),
)
Index("webhook_deliveries_due", webhook_deliveries.c.next_attempt_at,
      sqlite_where=text("state = 'PENDING'"), postgresql_where=text("state = 'PENDING'"))
Index("webhook_deliveries_by_reference", webhook_deliveries.c.msn, webhook_deliveries.c.reference)

settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
