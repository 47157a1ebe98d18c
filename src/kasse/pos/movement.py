"""The money the POS itself moved on the platform: one row per capture or refund it asked for.

The POS writes the row (with its idempotency key) before it calls the platform and fills in the
platform's `pspReference` and time from the payment's event log after, so a crash in between leaves a
row to confirm later, never a capture or refund the POS does not know it made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo


class MovementKind(StrEnum):
    """What the POS asked the platform to do with money."""

    CAPTURE = "capture"  # take reserved money: raises the merchant's funds balance
    REFUND = "refund"  # give captured money back: lowers it


@dataclass(frozen=True, slots=True, kw_only=True)
class Movement:
    """One capture or refund the POS made; `psp_reference` and `at` are None until confirmed."""

    idempotency_key: str
    reference: str  # the sale's (and the payment's) reference
    kind: MovementKind
    amount: int  # what the POS asked for, positive minor units
    psp_reference: str | None = None  # the platform event's own pspReference
    at: float | None = None  # the event's time on the platform's clock (Unix seconds)
    noted_at: float = 0.0  # when the POS wrote it, on the POS's own clock: an operation may still be under way

    @property
    def signed_amount(self) -> int:
        """The movement's effect on the funds balance, as the Report API writes it."""
        return self.amount if self.kind is MovementKind.CAPTURE else -self.amount

    @property
    def confirmed(self) -> bool:
        return self.psp_reference is not None and self.at is not None

    def ledger_date(self, zone: ZoneInfo) -> date | None:
        """The ledger date this movement belongs to: the local date of its platform time."""
        if self.at is None:
            return None
        return datetime.fromtimestamp(self.at, UTC).astimezone(zone).date()


def capture_key(reference: str) -> str:
    return f"capture-{reference}"


def refund_key(reference: str, refunded_before: int, amount: int) -> str:
    return f"refund-{reference}-{refunded_before}-{amount}"


LEGACY_REFUNDS = "*"  # key suffix of a pre-upgrade sale's refunds: every `refund-<reference>-…` event of it
