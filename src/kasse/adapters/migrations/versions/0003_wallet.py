"""wallet: test users, wallet requests, check-ins, static QR codes, receipts and order categories

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wallet_users",
        sa.Column("msisdn", sa.String(15), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("birth_date", sa.String(10), nullable=False),
        sa.Column("market", sa.String(2), nullable=False),
        sa.Column("card_brand", sa.String(16), nullable=False),
        sa.Column("card_last4", sa.String(4), nullable=False),
        sa.Column("card_expires", sa.String(10), nullable=False),
        sa.Column("qr_token", sa.String(128), nullable=False, unique=True),
        sa.Column("qr_issued_at", sa.BigInteger, nullable=False),
        sa.Column("behaviour", sa.String(16), nullable=False),
        sa.Column("behaviour_delay", sa.Integer, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "wallet_requests",
        sa.Column("msn", sa.String(10), primary_key=True),
        sa.Column("reference", sa.String(64), primary_key=True),
        sa.Column("msisdn", sa.String(15), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("arrived_at", sa.BigInteger, nullable=False),
        sa.Column("check_in_token", sa.String(128)),
        sa.Column("due_action", sa.String(16)),
        sa.Column("due_at", sa.BigInteger),
        sa.Column("answer", sa.String(16)),
        sa.Column("note", sa.Text),
    )
    op.create_index("wallet_requests_by_user", "wallet_requests", ["msisdn", "arrived_at"])
    op.create_index("wallet_requests_by_check_in", "wallet_requests", ["check_in_token"])
    op.create_index("wallet_requests_due", "wallet_requests", ["due_at"],
                    sqlite_where=sa.text("due_at IS NOT NULL"), postgresql_where=sa.text("due_at IS NOT NULL"))
    op.create_table(
        "wallet_check_ins",
        sa.Column("token", sa.String(128), primary_key=True),
        sa.Column("msisdn", sa.String(15), nullable=False),
        sa.Column("msn", sa.String(10), nullable=False),
        sa.Column("merchant_qr_id", sa.String(128), nullable=False),
        sa.Column("location_description", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "qr_redirects",
        sa.Column("msn", sa.String(10), primary_key=True),
        sa.Column("qr_id", sa.String(128), primary_key=True),
        sa.Column("redirect_url", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger),
    )
    op.create_table(
        "qr_callbacks",
        sa.Column("msn", sa.String(10), primary_key=True),
        sa.Column("merchant_qr_id", sa.String(128), primary_key=True),
        sa.Column("location_description", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "order_receipts",
        sa.Column("msn", sa.String(10), primary_key=True),
        sa.Column("payment_type", sa.String(16), primary_key=True),
        sa.Column("order_id", sa.String(128), primary_key=True),
        sa.Column("receipt_id", sa.String(36), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "order_categories",
        sa.Column("msn", sa.String(10), primary_key=True),
        sa.Column("payment_type", sa.String(16), primary_key=True),
        sa.Column("order_id", sa.String(128), primary_key=True),
        sa.Column("category_id", sa.String(36), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("order_details_url", sa.Text, nullable=False),
        sa.Column("image_id", sa.String(128)),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for name in ("order_categories", "order_receipts", "qr_callbacks", "qr_redirects", "wallet_check_ins",
                 "wallet_requests", "wallet_users"):
        op.drop_table(name)
