"""webhooks: claim leases on deliveries, the attempt log, and an index for the ordering rule

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a worker claims a delivery by writing a lease; another worker may take it once the lease has run out
    op.add_column("webhook_deliveries", sa.Column("claimed_until", sa.BigInteger))
    op.add_column("webhook_deliveries", sa.Column("claim_token", sa.String(64)))
    # the ordering rule asks "is an earlier delivery of this payment to this registration still pending?"
    op.create_index("webhook_deliveries_pending_by_payment", "webhook_deliveries",
                    ["webhook_id", "msn", "reference", "id"],
                    sqlite_where=sa.text("state = 'PENDING'"), postgresql_where=sa.text("state = 'PENDING'"))
    op.create_table(
        "webhook_delivery_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.BigInteger, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("sent_at", sa.BigInteger, nullable=False),
        sa.Column("response_code", sa.Integer),
        sa.Column("latency_ms", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
    )
    op.create_index("webhook_delivery_attempts_by_delivery", "webhook_delivery_attempts", ["delivery_id", "id"])


def downgrade() -> None:
    op.drop_table("webhook_delivery_attempts")
    op.drop_index("webhook_deliveries_pending_by_payment", "webhook_deliveries")
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.drop_column("claim_token")
        batch.drop_column("claimed_until")
