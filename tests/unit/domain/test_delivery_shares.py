"""Send slots are dealt fairly between sales units, with a reserve for a unit that has nothing in flight."""

from __future__ import annotations

from kasse.domain.delivery_shares import deal, full_units, share


def _due(unit: str, *ids: int) -> list[tuple[int, str]]:
    return [(i, unit) for i in ids]


def test_one_unit_may_use_every_slot_but_the_reserve() -> None:
    assert share(64, 1) == 56
    assert deal(_due("A", *range(100)), {}, 64, 64) == list(range(56))


def test_a_unit_holding_its_share_gets_no_more_and_the_reserve_goes_to_a_newcomer() -> None:
    chosen = deal(_due("A", *range(100)) + _due("B", 500), {"A": 56}, 64, 8)

    assert chosen == [500]


def test_free_slots_are_dealt_round_robin_in_due_order_within_each_unit() -> None:
    due = _due("A", 1, 2, 3, 4) + _due("B", 10, 11) + _due("C", 20)

    assert deal(due, {}, 64, 5) == [1, 10, 20, 2, 11]


def test_with_many_units_each_still_gets_at_least_one_slot() -> None:
    assert share(8, 100) == 1
    assert full_units({"A": 1, "B": 0}, 8, 100) == {"A"}


def test_a_units_share_shrinks_as_others_get_work() -> None:
    assert share(64, 2) == 28
    assert deal(_due("A", 1, 2) + _due("B", 3), {"A": 28}, 64, 10) == [3]
