"""Reconciliation: every difference between the POS's sales and the platform's payments, read through the SDK."""

from __future__ import annotations

from dataclasses import dataclass

from kasse.pos.sale import Sale, SaleStatus
from kasse.pos.store import SqlitePosStore
from kasse.sdk import AsyncClient, KasseError, NotFoundError, Payment, PaymentState


@dataclass(frozen=True, slots=True)
class Difference:
    """One sale whose record disagrees with the platform."""

    reference: str
    receipt_number: int
    pos_status: str
    platform: str
    problem: str


def differences_of(sale: Sale, payment: Payment | None) -> list[str]:
    """Return what disagrees between one sale and its payment (empty: they agree)."""
    if payment is None:
        return [] if sale.status is SaleStatus.FAILED else ["the platform has no such payment"]
    agg = payment.aggregate
    found: list[str] = []
    if sale.status is SaleStatus.PENDING:
        found.append("the sale is still pending")
    if sale.status is SaleStatus.MISMATCH:
        found.append(f"capture check failed: the capture response showed {sale.captured} of {sale.total}; "
                     f"the platform now shows {agg.captured_amount.value} captured")
    if sale.status is SaleStatus.PAID and agg.captured_amount.value != sale.total:
        found.append(f"paid sale of {sale.total}, platform captured {agg.captured_amount.value}")
    if sale.status in (SaleStatus.FAILED, SaleStatus.CANCELLED) and agg.captured_amount.value:
        found.append(f"unpaid sale, but the platform captured {agg.captured_amount.value}")
    if sale.status in (SaleStatus.FAILED, SaleStatus.CANCELLED) and payment.state is PaymentState.AUTHORIZED \
            and agg.authorized_amount.value > agg.captured_amount.value + agg.cancelled_amount.value:
        found.append("unpaid sale, but money is still reserved on the platform")
    if agg.refunded_amount.value != sale.refunded:
        found.append(f"refunded {sale.refunded} here, {agg.refunded_amount.value} on the platform")
    return found


async def reconcile(client: AsyncClient, store: SqlitePosStore, limit: int = 500) -> list[Difference]:
    """Compare the latest `limit` sales with the platform's payments."""
    out: list[Difference] = []
    for sale in store.sales(limit):
        try:
            payment: Payment | None = await client.payments.get(sale.reference)
        except NotFoundError:
            payment = None
        except KasseError as err:
            out.append(Difference(sale.reference, sale.receipt_number, sale.status.value, "unreachable", str(err)))
            continue
        platform = payment.state.value if payment else "missing"
        out.extend(Difference(sale.reference, sale.receipt_number, sale.status.value, platform, problem)
                   for problem in differences_of(sale, payment))
    return out
