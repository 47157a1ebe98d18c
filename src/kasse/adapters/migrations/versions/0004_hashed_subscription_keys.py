"""subscription keys are stored as SHA-256 hashes, like client secrets

Revision ID: 0004
Revises: 0007 (given 0004 before main's 0007 landed; it runs after it, so a database main made still hashes)
Create Date: 2026-12-06

The columns keep their names and width (a hex SHA-256 is 64 characters). Access tokens already carry
the first 16 hex digits of each key's hash, so tokens issued before the upgrade stay valid.
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0007"
branch_labels = None
depends_on = None


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def upgrade() -> None:
    conn = op.get_bind()
    found = conn.execute(sa.text("SELECT msn, subscription_key_primary, subscription_key_secondary FROM merchants"))
    for msn, primary, secondary in found.fetchall():
        conn.execute(
            sa.text("UPDATE merchants SET subscription_key_primary = :primary, subscription_key_secondary = :secondary"
                    " WHERE msn = :msn"),
            {"msn": msn, "primary": _hash(primary), "secondary": _hash(secondary)},
        )


def downgrade() -> None:
    # a hash cannot be turned back into its key: the sales units keep working only with a kasse that hashes
    raise RuntimeError("revision 0004 cannot be downgraded: the subscription keys are stored only as hashes")
