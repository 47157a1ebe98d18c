"""request log: every official API request with its sales unit, payment, status, latency and redacted bodies

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

Bounded by count and age (KASSE_REQUEST_LOG_MAX_ROWS, KASSE_REQUEST_LOG_MAX_AGE); its recorder prunes it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("duration_ms", sa.Float, nullable=False),
        sa.Column("msn", sa.Text),
        sa.Column("reference", sa.Text),
        sa.Column("idempotency_key", sa.Text),
        sa.Column("request_headers", sa.Text, nullable=False),
        sa.Column("request_body", sa.Text, nullable=False),
        sa.Column("response_body", sa.Text, nullable=False),
    )
    op.create_index("request_log_by_msn", "request_log", ["msn", "id"])
    op.create_index("request_log_by_reference", "request_log", ["reference", "id"])
    op.create_index("request_log_by_at", "request_log", ["at"])


def downgrade() -> None:
    op.drop_index("request_log_by_at", "request_log")
    op.drop_index("request_log_by_reference", "request_log")
    op.drop_index("request_log_by_msn", "request_log")
    op.drop_table("request_log")
