"""Sales units and their credentials, in memory."""

from __future__ import annotations

from kasse.domain.merchant import Merchant
from tests.fakes.store_errors import DuplicateKeyError


class InMemoryMerchants:
    def __init__(self) -> None:
        self.rows: dict[str, Merchant] = {}

    def get(self, msn: str) -> Merchant | None:
        return self.rows.get(msn)

    def list(self) -> list[Merchant]:
        return sorted(self.rows.values(), key=lambda m: (m.created_at, m.msn))

    def by_client_id(self, client_id: str) -> Merchant | None:
        return next((m for m in self.rows.values() if m.client_id == client_id), None)

    def add(self, merchant: Merchant) -> None:
        if merchant.msn in self.rows or self.by_client_id(merchant.client_id) is not None:
            raise DuplicateKeyError(merchant.msn)
        self.rows[merchant.msn] = merchant
