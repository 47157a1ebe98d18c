"""settlement: ledgers, their entries and payouts, accounting partners and their grants (Report API)

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-01

Every existing sales unit gets its ledger, with its market's default terms, open from the date it was created.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0003"
branch_labels = None
depends_on = None

# the defaults of kasse.domain.settlement_terms at this revision: basis points, payout delay (business days)
_DEFAULTS = {"NO": (175, 2), "DK": (100, 1), "FI": (125, 1)}
_ZONES = {"NO": "Europe/Oslo", "DK": "Europe/Copenhagen", "FI": "Europe/Helsinki"}
FIRST_LEDGER_ID = 300001


def _ledgers() -> sa.Table:
    return op.create_table(
        "ledgers",
        sa.Column("ledger_id", sa.String(16), primary_key=True),
        sa.Column("msn", sa.String(10), nullable=False, unique=True),
        sa.Column("market", sa.String(2), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("fee_basis_points", sa.Integer, nullable=False),
        sa.Column("fee_fixed", sa.BigInteger, nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("frequency", sa.String(8), nullable=False),
        sa.Column("payout_delay_days", sa.Integer, nullable=False),
        sa.Column("funds_balance", sa.BigInteger, nullable=False),
        sa.Column("funds_position", sa.BigInteger, nullable=False),
        sa.Column("fees_balance", sa.BigInteger, nullable=False),
        sa.Column("fees_position", sa.BigInteger, nullable=False),
        sa.Column("payouts", sa.Integer, nullable=False),
        sa.Column("last_closed", sa.String(10), nullable=False),
        sa.Column("next_close_at", sa.BigInteger, nullable=False),
    )


def upgrade() -> None:
    ledgers = _ledgers()
    op.create_index("ix_ledgers_next_close_at", "ledgers", ["next_close_at"])
    op.create_table(
        "ledger_entries",
        sa.Column("ledger_id", sa.String(16), primary_key=True),
        sa.Column("topic", sa.String(8), primary_key=True),
        sa.Column("position", sa.BigInteger, primary_key=True),
        sa.Column("psp_reference", sa.String(64), nullable=False),
        sa.Column("time", sa.BigInteger, nullable=False),
        sa.Column("ledger_date", sa.String(10), nullable=False),
        sa.Column("entry_type", sa.String(32), nullable=False),
        sa.Column("reference", sa.Text),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("balance_before", sa.BigInteger, nullable=False),
        sa.Column("recipient_handle", sa.String(32)),
    )
    op.create_index("ledger_entries_by_date", "ledger_entries", ["ledger_id", "topic", "ledger_date", "position"])
    op.create_table(
        "ledger_payouts",
        sa.Column("ledger_id", sa.String(16), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("ledger_date", sa.String(10), nullable=False),
        sa.Column("scheduled_at", sa.BigInteger, nullable=False),
        sa.Column("delay_days", sa.Integer, nullable=False),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("aborted", sa.Boolean, nullable=False),
    )
    op.create_table(
        "accounting_partners",
        sa.Column("partner_id", sa.String(36), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False, unique=True),
        sa.Column("client_secret_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "partner_grants",
        sa.Column("partner_id", sa.String(36), primary_key=True),
        sa.Column("ledger_id", sa.String(16), primary_key=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    _open_ledgers_of_existing_merchants(ledgers)


def _open_ledgers_of_existing_merchants(ledgers: sa.Table) -> None:
    found = op.get_bind().execute(sa.text("SELECT msn, market, created_at FROM merchants ORDER BY created_at, msn"))
    rows = []
    for number, (msn, market, created_us) in enumerate(found, start=FIRST_LEDGER_ID):
        zone = ZoneInfo(_ZONES[market])
        created = datetime.fromtimestamp(created_us / 1e6, UTC)
        first = created.astimezone(zone).date()
        close = datetime.combine(first + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
        basis_points, delay = _DEFAULTS[market]
        rows.append({"ledger_id": str(number), "msn": msn, "market": market, "created_at": created_us,
                     "fee_basis_points": basis_points, "fee_fixed": 0, "mode": "net", "frequency": "daily",
                     "payout_delay_days": delay, "funds_balance": 0, "funds_position": 0, "fees_balance": 0,
                     "fees_position": 0, "payouts": 0, "last_closed": (first - timedelta(days=1)).isoformat(),
                     "next_close_at": int(close.timestamp() * 1_000_000)})
    if rows:
        op.bulk_insert(ledgers, rows)


def downgrade() -> None:
    for table in ("partner_grants", "accounting_partners", "ledger_payouts", "ledger_entries", "ledgers"):
        op.drop_table(table)
