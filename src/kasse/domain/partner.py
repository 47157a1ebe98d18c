"""An accounting partner: keys that read the Report API for the ledgers merchants granted it, nothing else."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from kasse.domain.merchant import hash_secret


@dataclass(frozen=True, slots=True)
class AccountingPartner:
    """An accounting partner with its `/miami/v1/token` credentials (the secret only as a hash)."""

    partner_id: str
    name: str
    client_id: str
    client_secret_hash: str
    created_at: datetime

    def secret_matches(self, secret: str) -> bool:
        """Compare a presented client secret with the stored hash in constant time."""
        return hmac.compare_digest(hash_secret(secret).encode(), self.client_secret_hash.encode())
