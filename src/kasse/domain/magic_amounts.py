"""The test environment's magic amounts (contract §9) as one table: amount in minor units → outcome.

A POS is tested against declines by charging one of these amounts; any currency. Payment amounts
act when the customer approves; refund amounts act on the refund's own `modificationAmount`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from kasse.domain.errors import ErrorCode
from kasse.domain.events import PaymentEvent
from kasse.domain.payment import Payment
from kasse.domain.payment_state import EventName

# contract §9: 201 leaves the result unknown for one hour
UNKNOWN_RESULT_HOLD = timedelta(hours=1)


class AmountOutcome(StrEnum):
    """What a magic amount does."""

    DECLINED = "DECLINED"  # approval fails: AUTHORIZED event with success false, then ABORTED
    UNKNOWN_FOR_AN_HOUR = "UNKNOWN_FOR_AN_HOUR"  # approval is taken, no answer for an hour, then EXPIRED
    SCA_REQUIRED = "SCA_REQUIRED"  # the wallet must confirm with BankID before the approval goes through
    REFUND_REFUSED = "REFUND_REFUSED"  # a refund of this amount fails with `code`, nothing changes


@dataclass(frozen=True, slots=True)
class MagicAmount:
    """One row of the table: the outcome, the reason the wallet shows, and the refusal's ErrorCode."""

    outcome: AmountOutcome
    reason: str
    code: ErrorCode | None = None


MAGIC_AMOUNTS: dict[int, MagicAmount] = {
    151: MagicAmount(AmountOutcome.DECLINED, "Insufficient funds"),
    182: MagicAmount(AmountOutcome.DECLINED, "Refused by issuer"),
    183: MagicAmount(AmountOutcome.DECLINED, "Suspected fraud"),
    184: MagicAmount(AmountOutcome.DECLINED, "Withdrawal amount limit exceeded"),
    186: MagicAmount(AmountOutcome.DECLINED, "Expired card"),
    187: MagicAmount(AmountOutcome.DECLINED, "Invalid card"),
    197: MagicAmount(AmountOutcome.DECLINED, "3-D Secure denied"),
    201: MagicAmount(AmountOutcome.UNKNOWN_FOR_AN_HOUR, "Unknown result for one hour"),
    202: MagicAmount(AmountOutcome.SCA_REQUIRED, "Strong customer authentication required"),
    123: MagicAmount(AmountOutcome.REFUND_REFUSED,
                     "Cannot refund: the customer has no account that can receive it", ErrorCode.REFUND_NOT_POSSIBLE),
    124: MagicAmount(AmountOutcome.REFUND_REFUSED, "Refund period expired", ErrorCode.REFUND_PERIOD_EXPIRED),
}

_APPROVAL_OUTCOMES = frozenset(
    {AmountOutcome.DECLINED, AmountOutcome.UNKNOWN_FOR_AN_HOUR, AmountOutcome.SCA_REQUIRED}
)


def approval_outcome(value: int) -> MagicAmount | None:
    """Return what approving a payment of `value` minor units does, or None for a normal approval."""
    found = MAGIC_AMOUNTS.get(value)
    return found if found is not None and found.outcome in _APPROVAL_OUTCOMES else None


def refund_refusal(value: int) -> MagicAmount | None:
    """Return the refusal a refund of `value` minor units meets, or None."""
    found = MAGIC_AMOUNTS.get(value)
    return found if found is not None and found.outcome is AmountOutcome.REFUND_REFUSED else None


def failed_authorization(payment: Payment, at: datetime, psp_reference: str) -> PaymentEvent:
    """Return the AUTHORIZED event with `success: false` a declined approval appends (contract §4.4)."""
    return PaymentEvent(payment.msn, payment.reference, psp_reference, EventName.AUTHORIZED, payment.amount, at,
                        payment.idempotency_key, success=False)
