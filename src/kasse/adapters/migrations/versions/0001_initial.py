"""initial schema: sales units, payments, events, idempotency keys, webhooks and their outbox

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "merchants",
        sa.Column("msn", sa.String(10), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("market", sa.String(2), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False, unique=True),
        sa.Column("client_secret_hash", sa.String(64), nullable=False),
        sa.Column("subscription_key_primary", sa.String(64), nullable=False),
        sa.Column("subscription_key_secondary", sa.String(64), nullable=False),
        sa.Column("push_allowed", sa.Boolean, nullable=False),
        sa.Column("partial_capture_allowed", sa.Boolean, nullable=False),
        sa.Column("long_living_allowed", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "payments",
        sa.Column("msn", sa.String(10), primary_key=True),
        sa.Column("reference", sa.String(64), primary_key=True),
        sa.Column("psp_reference", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("authorized", sa.BigInteger, nullable=False),
        sa.Column("captured", sa.BigInteger, nullable=False),
        sa.Column("refunded", sa.BigInteger, nullable=False),
        sa.Column("cancelled", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("idempotency_key", sa.String(50)),
        sa.Column("token", sa.String(64), unique=True),
        sa.Column("details", sa.Text, nullable=False),
    )
    op.create_index("payments_due", "payments", ["expires_at"],
                    sqlite_where=sa.text("state = 'CREATED'"), postgresql_where=sa.text("state = 'CREATED'"))
    op.create_table(
        "payment_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("msn", sa.String(10), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("psp_reference", sa.String(64), nullable=False),
        sa.Column("name", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        sa.Column("idempotency_key", sa.String(50)),
        sa.Column("success", sa.Boolean, nullable=False),
    )
    op.create_index("payment_events_by_payment", "payment_events", ["msn", "reference", "id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("msn", sa.String(10), primary_key=True),
        sa.Column("key", sa.String(50), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "webhooks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("msn", sa.String(10), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("events", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_webhooks_msn", "webhooks", ["msn"])
    op.create_table(
        "webhook_subscriptions",
        sa.Column("webhook_id", sa.String(36), sa.ForeignKey("webhooks.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("event_type", sa.String(64), primary_key=True),
        sa.Column("msn", sa.String(10), nullable=False),
    )
    op.create_index("webhook_subscriptions_lookup", "webhook_subscriptions", ["msn", "event_type"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("webhook_id", sa.String(36), nullable=False),
        sa.Column("msn", sa.String(10), nullable=False),
        sa.Column("reference", sa.String(64)),
        sa.Column("event_id", sa.BigInteger),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger, nullable=False),
        sa.Column("last_attempt_at", sa.BigInteger),
        sa.Column("last_status", sa.Integer),
        sa.Column("last_error", sa.Text),
        sa.Column("last_latency_ms", sa.Integer),
        sa.Column("delivered_at", sa.BigInteger),
    )
    op.create_index("webhook_deliveries_due", "webhook_deliveries", ["next_attempt_at"],
                    sqlite_where=sa.text("state = 'PENDING'"), postgresql_where=sa.text("state = 'PENDING'"))
    op.create_index("webhook_deliveries_by_reference", "webhook_deliveries", ["msn", "reference"])
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for name in ("settings", "webhook_deliveries", "webhook_subscriptions", "webhooks",
                 "idempotency_keys", "payment_events", "payments", "merchants"):
        op.drop_table(name)
