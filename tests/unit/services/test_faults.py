"""The fault board: arming checks the settings, faults are listed per sales unit, taken oldest first,
used up after their `times`, disarmed on request, and never armed in production mode."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kasse.domain.faults import API_KINDS, WEBHOOK_KINDS, Endpoint, FaultKind, FaultSpecError
from kasse.services.faults import FaultBoard, FaultsDisabledError
from tests.fakes import FakeClock, InMemoryFaults, SequentialIds

MSN, OTHER = "123456", "654321"
K = FaultKind


@pytest.fixture
def board(clock: FakeClock, ids: SequentialIds) -> FaultBoard:
    return FaultBoard(clock, ids, InMemoryFaults())


def test_an_armed_fault_records_its_settings_and_when(board: FaultBoard, clock: FakeClock) -> None:
    fault = board.arm(MSN, K.API_423, endpoint=Endpoint.CAPTURE, times=3)

    assert (fault.msn, fault.kind, fault.endpoint, fault.remaining, fault.armed_at) == (
        MSN, K.API_423, Endpoint.CAPTURE, 3, clock.now())
    assert board.list() == [fault]


def test_faults_are_listed_oldest_first_per_sales_unit(board: FaultBoard, clock: FakeClock) -> None:
    first = board.arm(MSN, K.WEBHOOK_DROP)
    clock.advance(timedelta(seconds=1))
    theirs = board.arm(OTHER, K.API_500)
    second = board.arm(MSN, K.API_429)

    assert board.list() == [first, theirs, second]
    assert board.list(MSN) == [first, second]
    assert (board.armed(MSN), board.armed(OTHER), board.armed("111111")) == (True, True, False)


@pytest.mark.parametrize(
    ("kind", "settings", "field"),
    [
        (K.WEBHOOK_DROP, {"endpoint": Endpoint.GET}, "endpoint"),
        (K.API_500, {"times": 0}, "times"),
        (K.WEBHOOK_DELAY, {}, "delaySeconds"),
        (K.WEBHOOK_DELAY, {"delay_seconds": -1.0}, "delaySeconds"),
        (K.API_LOST_RESPONSE, {"delay_seconds": 2.0}, "delaySeconds"),
    ],
)
def test_settings_that_make_no_sense_are_refused_by_name(board: FaultBoard, kind: FaultKind,
                                                          settings: dict[str, object], field: str) -> None:
    with pytest.raises(FaultSpecError) as refused:
        board.arm(MSN, kind, **settings)  # type: ignore[arg-type]

    assert refused.value.field == field
    assert board.list() == []


def test_taking_fires_the_oldest_matching_fault_of_the_sales_unit(board: FaultBoard) -> None:
    board.arm(OTHER, K.WEBHOOK_DROP)
    api = board.arm(MSN, K.API_500)
    oldest = board.arm(MSN, K.WEBHOOK_DUPLICATE)
    board.arm(MSN, K.WEBHOOK_DROP)

    assert board.take(MSN, WEBHOOK_KINDS) == oldest
    assert board.take(MSN, API_KINDS, Endpoint.CREATE) == api
    assert board.take("111111", WEBHOOK_KINDS) is None


def test_an_endpoint_scoped_fault_fires_only_for_its_endpoint(board: FaultBoard) -> None:
    fault = board.arm(MSN, K.API_423, endpoint=Endpoint.CAPTURE)

    assert board.take(MSN, API_KINDS, Endpoint.REFUND) is None
    assert board.take(MSN, API_KINDS, Endpoint.CAPTURE) == fault


def test_a_fault_is_used_up_after_its_times(board: FaultBoard) -> None:
    board.arm(MSN, K.WEBHOOK_DROP, times=2)

    first = board.take(MSN, WEBHOOK_KINDS)
    listed = board.list()
    second = board.take(MSN, WEBHOOK_KINDS)

    assert first is not None and second is not None
    assert [f.remaining for f in listed] == [1]
    assert board.take(MSN, WEBHOOK_KINDS) is None
    assert board.list() == []


def test_a_fault_without_times_fires_until_disarmed(board: FaultBoard) -> None:
    fault = board.arm(MSN, K.WEBHOOK_TIMEOUT)

    fired = [board.take(MSN, WEBHOOK_KINDS) for _ in range(5)]

    assert fired == [fault] * 5
    assert board.disarm(fault.id) is True
    assert board.disarm(fault.id) is False
    assert board.take(MSN, WEBHOOK_KINDS) is None


def test_disarming_all_can_be_limited_to_one_sales_unit(board: FaultBoard) -> None:
    board.arm(MSN, K.WEBHOOK_DROP)
    board.arm(MSN, K.API_500)
    theirs = board.arm(OTHER, K.API_500)

    assert board.disarm_all(MSN) == 2
    assert board.list() == [theirs]
    assert board.disarm_all() == 1
    assert board.list() == []


def test_nothing_is_armed_in_production_mode(clock: FakeClock, ids: SequentialIds) -> None:
    production = FaultBoard(clock, ids, InMemoryFaults(), enabled=False)

    with pytest.raises(FaultsDisabledError):
        production.arm(MSN, K.WEBHOOK_DROP)

    assert production.list() == []
    assert production.take(MSN, WEBHOOK_KINDS) is None
