"""Delivery use cases over in-memory fakes; `tests/integration/webhooks/test_webhooks_sql.py` reruns them on SQLite."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from kasse.domain.events import PaymentEvent
from kasse.domain.money import Currency, Money
from kasse.domain.payment_state import EventName
from kasse.domain.webhook_delivery import RETRY_WINDOW, DeliveryJob, DeliveryState, DeliveryTransitionError
from kasse.domain.webhook_registration import CHECKED_IN, EVENT_TYPES, Registration
from kasse.services.deliveries import (
    LEASE,
    AttemptResult,
    DeliveryNotFoundError,
    claim_due,
    find_due,
    record_attempts,
    redeliver_now,
)
from kasse.services.recording import record, record_check_in
from kasse.services.webhooks import delete_webhook, register_webhook
from tests.fakes import EPOCH, FakeClock, InMemoryUnitOfWork, SequentialIds

MSN = "123456"
T0 = EPOCH
S = DeliveryState


@pytest.fixture
def uow() -> Any:
    return InMemoryUnitOfWork()


_IDS = SequentialIds()  # shared, so registrations made by separate calls never share an id


def hook(uow: Any, events: Sequence[str] = EVENT_TYPES, url: str = "https://example.com/hook") -> Registration:
    return register_webhook(uow, FakeClock(T0), _IDS, msn=MSN, url=url, events=events, production=True)


def happen(uow: Any, reference: str, name: EventName, at: datetime = T0) -> None:
    record(uow, PaymentEvent(MSN, reference, f"psp-{reference}-{name}", name, Money(1000, Currency.NOK), at, None))


def claim(uow: Any, now: datetime = T0, token: str = "worker-a") -> list[DeliveryJob]:
    return list(claim_due(uow, find_due(uow, now, 100), now, token))


def answer(uow: Any, jobs: Sequence[DeliveryJob], code: int | None, now: datetime = T0) -> int:
    return record_attempts(uow, [AttemptResult(j, now, code, 3, None if code == 200 else "refused") for j in jobs], now)


def state(uow: Any, delivery_id: int) -> tuple[S, int]:
    d = uow.deliveries.get(delivery_id)
    return d.state, d.attempts


def test_each_subscribed_registration_gets_its_own_delivery(uow: Any) -> None:
    hook(uow)
    hook(uow, events=[EventName.CREATED.webhook_event])

    happen(uow, "order-1", EventName.CREATED)
    happen(uow, "order-1", EventName.AUTHORIZED)

    assert find_due(uow, T0, 10) == [1, 2]  # the authorized one waits for the first registration's created
    assert [j.url for j in claim(uow)] == ["https://example.com/hook"] * 2


def test_a_later_event_of_a_payment_waits_until_the_earlier_is_delivered(uow: Any) -> None:
    hook(uow)
    happen(uow, "order-1", EventName.CREATED)
    happen(uow, "order-1", EventName.AUTHORIZED)
    happen(uow, "order-2", EventName.CREATED)

    first = claim(uow)
    answer(uow, first[:1], 200)

    assert [j.id for j in first] == [1, 3]
    assert [j.id for j in claim(uow)] == [2]


def test_a_failing_delivery_holds_back_its_payment_but_not_others(uow: Any) -> None:
    hook(uow)
    happen(uow, "order-1", EventName.CREATED)
    happen(uow, "order-1", EventName.AUTHORIZED)
    answer(uow, claim(uow), 500)
    happen(uow, "order-2", EventName.CREATED)

    later = T0 + timedelta(seconds=2)

    assert find_due(uow, T0, 10) == [3]
    assert find_due(uow, later, 10) == [3, 1]  # earliest due first


def test_held_deliveries_wait_behind_a_refused_one_and_follow_it_at_once(uow: Any) -> None:
    hook(uow)
    happen(uow, "order-1", EventName.CREATED)
    happen(uow, "order-1", EventName.AUTHORIZED)
    answer(uow, claim(uow), 500)
    retry = T0 + timedelta(seconds=2)

    assert uow.deliveries.get(2).next_attempt_at == retry  # out of the due range until its head is retried
    answer(uow, claim(uow, retry), 200, retry)

    assert [j.id for j in claim(uow, retry)] == [2]


def test_redelivering_a_held_payments_head_lets_the_rest_follow_without_waiting(uow: Any) -> None:
    hook(uow)
    happen(uow, "order-1", EventName.CREATED)
    happen(uow, "order-1", EventName.AUTHORIZED)
    for n in range(6):  # refused until its next retry is two minutes away
        now = T0 + timedelta(hours=n)
        answer(uow, claim(uow, now), 500, now)
    now = T0 + timedelta(hours=6)

    redeliver_now(uow, 1, now)
    answer(uow, claim(uow, now), 200, now)

    assert [j.id for j in claim(uow, now)] == [2]


def test_a_refused_attempt_is_retried_on_the_schedule(uow: Any) -> None:
    hook(uow)
    happen(uow, "order-1", EventName.CREATED)

    applied = answer(uow, claim(uow), 503)

    assert applied == 1
    assert state(uow, 1) == (S.PENDING, 1)
    assert uow.deliveries.get(1).next_attempt_at == T0 + timedelta(seconds=2)
    assert find_due(uow, T0 + timedelta(seconds=1), 10) == []
    assert [j.attempt for j in claim(uow, T0 + timedelta(seconds=2))] == [2]


def test_an_accepted_attempt_delivers_it_for_good(uow: Any) -> None:
    hook(uow)
    happen(uow, "order-1", EventName.CREATED)

    answer(uow, claim(uow), 200)

    assert state(uow, 1) == (S.DELIVERED, 1)
    assert find_due(uow, T0 + timedelta(days=1), 10) == []


def test_a_claim_keeps_other_workers_off_until_its_lease_runs_out(uow: Any) -> None:
    hook(uow)
    happen(uow, "order-1", EventName.CREATED)
    claim(uow, token="worker-a")

    assert claim(uow, token="worker-b") == []
    assert claim(uow, T0 + LEASE - timedelta(seconds=1), token="worker-b") == []
    assert [j.claim_token for j in claim(uow, T0 + LEASE, token="worker-b")] == ["worker-b"]


def test_an_outcome_arriving_after_the_claim_was_lost_is_not_applied(uow: Any) -> None:
    hook(uow)
    happen(uow, "order-1", EventName.CREATED)
    stale = claim(uow, token="worker-a")
    taken_over = claim(uow, T0 + LEASE, token="worker-b")
    answer(uow, taken_over, 200, T0 + LEASE)

    applied = answer(uow, stale, 500, T0 + LEASE)

    assert applied == 0
    assert state(uow, 1) == (S.DELIVERED, 1)


def test_a_delivery_refused_for_seven_days_is_dead(uow: Any) -> None:
    hook(uow)
    happen(uow, "order-1", EventName.CREATED)
    late = T0 + RETRY_WINDOW + timedelta(hours=1)

    answer(uow, claim(uow, late), 500, late)

    assert state(uow, 1) == (S.DEAD, 1)
    assert find_due(uow, late + timedelta(days=30), 10) == []


def test_redelivery_queues_a_delivered_or_dead_delivery_again(uow: Any) -> None:
    hook(uow)
    happen(uow, "order-1", EventName.CREATED)
    answer(uow, claim(uow), 200)
    later = T0 + timedelta(hours=3)

    redeliver_now(uow, 1, later)

    assert state(uow, 1) == (S.PENDING, 1)
    assert [j.attempt for j in claim(uow, later)] == [2]


def test_redelivering_an_unknown_delivery_is_refused(uow: Any) -> None:
    with pytest.raises(DeliveryNotFoundError):
        redeliver_now(uow, 42, T0)


def test_deleting_a_registration_discards_what_it_had_pending(uow: Any) -> None:
    registration = hook(uow)
    happen(uow, "order-1", EventName.CREATED)
    happen(uow, "order-1", EventName.AUTHORIZED)
    in_flight = claim(uow)

    discarded = delete_webhook(uow, MSN, registration.id)
    applied = answer(uow, in_flight, 200)

    assert discarded == 2
    assert applied == 0
    assert [state(uow, i)[0] for i in (1, 2)] == [S.DISCARDED, S.DISCARDED]
    assert find_due(uow, T0 + timedelta(days=1), 10) == []
    with pytest.raises(DeliveryTransitionError):
        redeliver_now(uow, 1, T0)


def test_check_ins_belong_to_no_payment_and_are_never_held(uow: Any) -> None:
    hook(uow, events=[CHECKED_IN])
    record_check_in(uow, MSN, {"customerToken": "tok-1"}, T0)
    answer(uow, claim(uow), 500)

    record_check_in(uow, MSN, {"customerToken": "tok-2"}, T0)

    assert find_due(uow, T0, 10) == [2]
