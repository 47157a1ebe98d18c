"""payment list: the console's payments, newest first, by sales unit, state, reference or pspReference

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-06

Each index starts with what a filter fixes and goes on in the list's order (created_at, msn, reference),
so a page of the console's list is a seek and a short walk with a million payments stored.
"""

from alembic import op

revision = "0008"
down_revision = "0006"  # after console-reqlog's request log (merged into this branch); the lead may re-chain
branch_labels = None
depends_on = None

INDEXES = (
    ("payments_by_created", "payments", ["created_at", "msn", "reference"]),
    ("payments_by_msn_created", "payments", ["msn", "created_at", "reference"]),
    ("payments_by_state_created", "payments", ["state", "created_at", "msn", "reference"]),
    # a sales unit and a state together: without it, a rare state of a big unit walks all the unit's payments
    ("payments_by_msn_state_created", "payments", ["msn", "state", "created_at", "reference"]),
    ("payments_by_reference", "payments", ["reference"]),
    ("payment_events_by_psp", "payment_events", ["psp_reference"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table)
