"""Matching one ledger date: the POS's captures and refunds against the `funds` report. Pure: no I/O, no clock.

A report `capture`/`refund` entry and a POS movement are the same money when their pspReferences are equal;
a movement whose pspReference is unknown is matched by reference, kind and amount. Every POS movement of the
date and every sale entry of the report ends up exactly once: matched, or in one difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from kasse.pos.movement import Movement, MovementKind

SALE_ENTRY_TYPES = {"capture": MovementKind.CAPTURE, "refund": MovementKind.REFUND}
# the settlement's own entries: fees, payouts and their corrections; never a sale of the POS
SETTLEMENT_ENTRY_TYPES = frozenset({"fees-retained", "fees-invoiced", "payout-scheduled", "scheduled-for-payout",
                                    "payout-aborted", "top-up", "credit-note"})


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportEntry:
    """One entry of a `funds` or `fees` report, as the Report API writes it (amounts signed, minor units)."""

    psp_reference: str
    reference: str | None
    entry_type: str
    amount: int
    balance_before: int = 0
    balance_after: int = 0
    time: str = ""
    ledger_date: str = ""


class DifferenceKind(StrEnum):
    """How the POS and the report disagree about one movement of money."""

    MISSING_IN_POS = "missing_in_pos"  # the report has it; the POS made no such capture or refund on this date
    MISSING_IN_REPORT = "missing_in_report"  # the POS made it on this date; the report does not show it
    AMOUNT_DIFFERS = "amount_differs"  # both have it, with different (signed) amounts
    REFERENCE_DIFFERS = "reference_differs"  # same pspReference, but the report names another payment


LABELS = {
    DifferenceKind.MISSING_IN_POS: "in the report, not in the POS",
    DifferenceKind.MISSING_IN_REPORT: "in the POS, not in the report",
    DifferenceKind.AMOUNT_DIFFERS: "amount differs",
    DifferenceKind.REFERENCE_DIFFERS: "reference differs",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Difference:
    """One disagreement; `movement` is the POS side and `entry` the report side, whichever exist."""

    kind: DifferenceKind
    movement: Movement | None = None
    entry: ReportEntry | None = None

    @property
    def label(self) -> str:
        return LABELS[self.kind]


@dataclass(frozen=True, slots=True)
class Matched:
    """A POS movement and the report entry that shows it, agreeing on reference and amount."""

    movement: Movement
    entry: ReportEntry


@dataclass(frozen=True, slots=True, kw_only=True)
class DayMatch:
    """The outcome for one ledger date: what agrees, what does not, and the settlement's own entries."""

    matched: tuple[Matched, ...]
    differences: tuple[Difference, ...]
    settlement: tuple[ReportEntry, ...]


def is_sale_entry(entry: ReportEntry) -> bool:
    """Whether a funds entry is money of a payment (captures, refunds, corrections, disputes, unknown types)."""
    return entry.entry_type not in SETTLEMENT_ENTRY_TYPES


def _compare(movement: Movement, entry: ReportEntry) -> Matched | Difference:
    if entry.reference != movement.reference:
        return Difference(kind=DifferenceKind.REFERENCE_DIFFERS, movement=movement, entry=entry)
    if entry.amount != movement.signed_amount or SALE_ENTRY_TYPES.get(entry.entry_type) is not movement.kind:
        return Difference(kind=DifferenceKind.AMOUNT_DIFFERS, movement=movement, entry=entry)
    return Matched(movement, entry)


def _by_reference(movement: Movement, open_entries: dict[tuple[str | None, str], list[ReportEntry]]
                  ) -> ReportEntry | None:
    """Take the unmatched entry of the same payment and kind, one of equal amount first."""
    same = open_entries.get((movement.reference, movement.kind.value), [])
    found = next((e for e in same if e.amount == movement.signed_amount), same[0] if same else None)
    if found is not None:
        same.remove(found)
    return found


def match_day(movements: Iterable[Movement], funds: Sequence[ReportEntry]) -> DayMatch:
    """Match the POS's movements of one ledger date with that date's `funds` report."""
    sale_entries = [e for e in funds if is_sale_entry(e)]
    by_psp: dict[str, ReportEntry] = {}
    for e in sale_entries:  # a dispute or correction may repeat its capture's pspReference: the capture wins
        if e.entry_type in SALE_ENTRY_TYPES:
            by_psp.setdefault(e.psp_reference, e)
    outcome: dict[int, Matched | Difference] = {}  # by id() of the report entry
    pos_only: list[Difference] = []
    unknown_psp: list[Movement] = []
    for movement in movements:
        entry = by_psp.get(movement.psp_reference) if movement.psp_reference else None
        if entry is not None and id(entry) not in outcome:
            outcome[id(entry)] = _compare(movement, entry)
        elif movement.psp_reference is None:
            unknown_psp.append(movement)
        else:
            pos_only.append(Difference(kind=DifferenceKind.MISSING_IN_REPORT, movement=movement))
    open_entries: dict[tuple[str | None, str], list[ReportEntry]] = {}
    for e in sale_entries:
        if id(e) not in outcome and e.entry_type in SALE_ENTRY_TYPES:
            open_entries.setdefault((e.reference, e.entry_type), []).append(e)
    for movement in unknown_psp:
        entry = _by_reference(movement, open_entries)
        if entry is None:
            pos_only.append(Difference(kind=DifferenceKind.MISSING_IN_REPORT, movement=movement))
        else:
            outcome[id(entry)] = _compare(movement, entry)
    lines = [outcome.get(id(e)) or Difference(kind=DifferenceKind.MISSING_IN_POS, entry=e) for e in sale_entries]
    return DayMatch(matched=tuple(x for x in lines if isinstance(x, Matched)),
                    differences=tuple([x for x in lines if isinstance(x, Difference)] + pos_only),
                    settlement=tuple(e for e in funds if not is_sale_entry(e)))
