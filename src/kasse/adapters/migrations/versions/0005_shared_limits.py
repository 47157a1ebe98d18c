"""shared limits: armed test faults and rate-limit windows for every process; indexes that keep lists indexed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

On PostgreSQL `rate_limits` is UNLOGGED: a window is worth nothing after a crash, and a commit that
touched only unlogged tables does not wait for a WAL flush, so counting a GET costs no fsync.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"  # re-chained after main's 0003 -> 0007 -> 0004 on merging; the lead may re-chain again
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faults",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        sa.Column("msn", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("endpoint", sa.String(16)),
        sa.Column("remaining", sa.Integer),
        sa.Column("delay_seconds", sa.Float),
        sa.Column("armed_at", sa.BigInteger, nullable=False),
    )
    op.create_index("faults_by_msn", "faults", ["msn", "seq"])
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table(
        "rate_limits",
        sa.Column("operation", sa.String(16), primary_key=True),
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("reference", sa.String(64), primary_key=True),
        sa.Column("hits", sa.Text, nullable=False),
        sa.Column("refused", sa.Boolean, nullable=False),
        sa.Column("last_at", sa.BigInteger, nullable=False),
        prefixes=unlogged,
    )
    op.create_index("rate_limits_by_last", "rate_limits", ["last_at"])
    # the event stream follows one sales unit's events; the console lists deliveries by payment or sales unit
    op.create_index("payment_events_by_msn", "payment_events", ["msn", "id"])
    op.create_index("webhook_deliveries_by_ref", "webhook_deliveries", ["reference", "id"])
    op.create_index("webhook_deliveries_by_msn", "webhook_deliveries", ["msn", "id"])


def downgrade() -> None:
    op.drop_index("webhook_deliveries_by_msn", "webhook_deliveries")
    op.drop_index("webhook_deliveries_by_ref", "webhook_deliveries")
    op.drop_index("payment_events_by_msn", "payment_events")
    op.drop_index("rate_limits_by_last", "rate_limits")
    op.drop_table("rate_limits")
    op.drop_index("faults_by_msn", "faults")
    op.drop_table("faults")
