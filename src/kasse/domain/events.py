"""A payment event: one entry of the event log, with its own pspReference (contract §4.4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kasse.domain.money import Money
from kasse.domain.payment_state import EventName
from kasse.domain.timefmt import rfc3339


@dataclass(frozen=True, slots=True)
class PaymentEvent:
    """Something that happened to a payment; the amount is that operation's, not a running total."""

    msn: str
    reference: str
    psp_reference: str
    name: EventName
    amount: Money
    timestamp: datetime
    idempotency_key: str | None
    success: bool = True

    def to_wire(self) -> dict[str, object]:
        """Return the contract's `PaymentEvent` object of the event log."""
        return {
            "reference": self.reference,
            "pspReference": self.psp_reference,
            "name": self.name.value,
            "amount": self.amount.to_wire(),
            "timestamp": rfc3339(self.timestamp),
            "idempotencyKey": self.idempotency_key,
            "success": self.success,
        }

    def to_webhook(self) -> dict[str, object]:
        """Return the contract's `WebhookEvent` payload (§8.2): the log entry plus the MSN."""
        return {"msn": self.msn, **self.to_wire()}
