"""How a sales unit is settled: its fee, net or gross settlement, how often it is paid out, and how fast.

Fees are whole minor units. The one rounding rule (`fee_for`) rounds the percentage part half up,
then adds the fixed part; a refund never has a fee (Report API: "refunds always have zero fees").
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from kasse.domain.money import Market


class SettlementMode(StrEnum):
    """Where the fees go."""

    NET = "net"  # fees are held back from each payout (`fees-retained` on both topics)
    GROSS = "gross"  # the whole balance is paid out; fees are invoiced monthly (`fees-invoiced` on fees)


class PayoutFrequency(StrEnum):
    """Which ledger dates end with a payout; the others carry their balance to the next date."""

    DAILY = "daily"  # every date, weekends and holidays included
    WEEKLY = "weekly"  # Sundays: paid the next Monday
    MONTHLY = "monthly"  # the last date of a month: paid on the 1st


MAX_FEE_BASIS_POINTS = 10_000  # 100 %
MAX_FIXED_FEE = 1_000_000  # minor units (10,000.00): a typo guard, far above any real fixed fee
MAX_PAYOUT_DELAY = 30  # business days


class TermsError(ValueError):
    """A setting that cannot be used; `field` names it as the control plane spells it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class SettlementTerms:
    """A sales unit's settlement agreement; the percentage is in basis points (175 = 1.75 %)."""

    fee_basis_points: int
    fee_fixed: int
    mode: SettlementMode = SettlementMode.NET
    frequency: PayoutFrequency = PayoutFrequency.DAILY
    payout_delay_days: int = 2

    def __post_init__(self) -> None:
        if not 0 <= self.fee_basis_points <= MAX_FEE_BASIS_POINTS:
            raise TermsError("feePercent", "must be between 0 and 100")
        if not 0 <= self.fee_fixed <= MAX_FIXED_FEE:
            raise TermsError("feeFixed", f"must be between 0 and {MAX_FIXED_FEE} minor units")
        if not 0 <= self.payout_delay_days <= MAX_PAYOUT_DELAY:
            raise TermsError("payoutDelayDays", f"must be between 0 and {MAX_PAYOUT_DELAY} business days")

    def fee_for(self, captured: int) -> int:
        """Return the fee of a capture of `captured` minor units: percentage rounded half up, plus the fixed part."""
        return (captured * self.fee_basis_points + 5_000) // 10_000 + self.fee_fixed

    @property
    def fee_percent(self) -> str:
        """Return the percentage as text with two decimals, e.g. `1.75`."""
        whole, hundredths = divmod(self.fee_basis_points, 100)
        return f"{whole}.{hundredths:02d}"


# documented in README "Testing your settlement and reconciliation": Vipps (NO) pays out two business days
# after the ledger date, MobilePay (DK, FI) one (Report API contract §2.6)
DEFAULT_TERMS: dict[Market, SettlementTerms] = {
    Market.NO: SettlementTerms(fee_basis_points=175, fee_fixed=0, payout_delay_days=2),
    Market.DK: SettlementTerms(fee_basis_points=100, fee_fixed=0, payout_delay_days=1),
    Market.FI: SettlementTerms(fee_basis_points=125, fee_fixed=0, payout_delay_days=1),
}


def parse_percent(text: str) -> int:
    """Return a percentage given as text (`"1.75"`, `"2"`) in basis points.

    Raises:
        TermsError: not a number from 0 to 100 with at most two decimals.
    """
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise TermsError("feePercent", "must be a number such as 1.75") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise TermsError("feePercent", "must be between 0 and 100")
    basis_points = value * 100
    if basis_points != basis_points.to_integral_value():
        raise TermsError("feePercent", "at most two decimals (hundredths of a percent)")
    return int(basis_points)


def pays_out_on(ledger_date: date, frequency: PayoutFrequency) -> bool:
    """Tell whether the close of `ledger_date` schedules a payout (contract §4 no. 31)."""
    if frequency is PayoutFrequency.WEEKLY:
        return ledger_date.isoweekday() == 7
    if frequency is PayoutFrequency.MONTHLY:
        return ledger_date.day == calendar.monthrange(ledger_date.year, ledger_date.month)[1]
    return True


def is_month_end(ledger_date: date) -> bool:
    """Tell whether `ledger_date` is the last date of its month (when gross fees are invoiced)."""
    return pays_out_on(ledger_date, PayoutFrequency.MONTHLY)
