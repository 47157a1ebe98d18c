from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from kasse.domain.webhook_delivery import (
    FINAL_STATES,
    RETRY_WINDOW,
    TRANSITIONS,
    Delivery,
    DeliveryState,
    DeliveryTransitionError,
    Trigger,
    after_attempt,
    discard,
    is_accepted,
    is_held,
    is_overdue,
    is_sendable,
    move,
    outcome_of,
    redeliver,
    retry_delay,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
S = DeliveryState


def delivery(id: int = 1, *, reference: str | None = "order-1", webhook: str = "wh-1", state: S = S.PENDING,
             attempts: int = 0, created_at: datetime = T0) -> Delivery:
    return Delivery(id, webhook, "123456", reference, "epayments.payment.created.v1", state, attempts,
                    created_at, created_at)


# the schedule, attempt by attempt: wait before attempt n+1 after n failed attempts (contract §8.3)
@pytest.mark.parametrize(
    ("attempts_made", "wait"),
    [
        (1, timedelta(seconds=2)),
        (4, timedelta(seconds=2)),
        (5, timedelta(seconds=60)),
        (6, timedelta(seconds=120)),
        (7, timedelta(hours=1)),
        (28, timedelta(hours=1)),  # attempt 29 is the last hourly one
        (29, timedelta(days=1)),
        (40, timedelta(days=1)),
    ],
)
def test_retry_schedule(attempts_made: int, wait: timedelta) -> None:
    assert retry_delay(attempts_made) == wait


def test_the_schedule_reaches_the_daily_retries_within_the_first_day() -> None:
    elapsed = sum((retry_delay(n) for n in range(1, 29)), timedelta())

    assert timedelta(hours=22) < elapsed < timedelta(days=1)


@pytest.mark.parametrize("code", [200, 201, 202, 204, 299])
def test_any_2xx_is_accepted(code: int) -> None:
    assert is_accepted(code)


@pytest.mark.parametrize("code", [None, 100, 301, 302, 400, 404, 410, 429, 500, 503])
def test_no_answer_a_redirect_or_an_error_is_refused(code: int | None) -> None:
    assert not is_accepted(code)


def test_every_transition_of_the_table_leads_where_it_says() -> None:
    for (state, trigger), to in TRANSITIONS.items():
        assert move(state, trigger) is to


@pytest.mark.parametrize(
    ("state", "trigger"),
    [(s, t) for s in S for t in Trigger if (s, t) not in TRANSITIONS],
)
def test_moves_outside_the_table_are_refused(state: S, trigger: Trigger) -> None:
    with pytest.raises(DeliveryTransitionError):
        move(state, trigger)


def test_only_pending_is_not_final() -> None:
    assert set(S) - FINAL_STATES == {S.PENDING}


def test_an_accepted_attempt_delivers() -> None:
    d = delivery()

    done = after_attempt(d, outcome_of(d, True, T0), T0)

    assert (done.state, done.attempts) == (S.DELIVERED, 1)


def test_a_refused_attempt_schedules_the_next_from_the_table() -> None:
    d = delivery(attempts=4)
    now = T0 + timedelta(seconds=10)

    retried = after_attempt(d, outcome_of(d, False, now), now)

    assert retried.state is S.PENDING
    assert retried.attempts == 5
    assert retried.next_attempt_at == now + timedelta(seconds=60)


def test_a_refusal_whose_retry_would_fall_after_seven_days_is_dead() -> None:
    d = delivery(attempts=33)
    last_chance = T0 + RETRY_WINDOW - timedelta(days=1)
    too_late = last_chance + timedelta(seconds=1)

    assert outcome_of(d, False, last_chance) is Trigger.REFUSED
    assert outcome_of(d, False, too_late) is Trigger.EXHAUSTED
    assert after_attempt(d, Trigger.EXHAUSTED, too_late).state is S.DEAD


@pytest.mark.parametrize("state", [S.PENDING, S.DELIVERED, S.DEAD])
def test_redelivery_queues_it_now(state: S) -> None:
    now = T0 + timedelta(days=9)

    queued = redeliver(delivery(state=state, attempts=3), now)

    assert (queued.state, queued.next_attempt_at, queued.attempts) == (S.PENDING, now, 3)


def test_a_discarded_delivery_cannot_be_redelivered() -> None:
    gone = discard(delivery())

    assert gone.state is S.DISCARDED
    with pytest.raises(DeliveryTransitionError):
        redeliver(gone, T0)


class TestOrdering:
    def test_a_later_delivery_of_the_same_payment_is_held_while_an_earlier_is_pending(self) -> None:
        first, second = delivery(1), delivery(2)

        assert is_held(second, [first, second])
        assert not is_held(first, [first, second])

    @pytest.mark.parametrize("state", sorted(FINAL_STATES))
    def test_it_is_released_once_the_earlier_is_final(self, state: S) -> None:
        first, second = delivery(1, state=state), delivery(2)

        assert not is_held(second, [first])

    def test_other_payments_and_other_registrations_are_not_held(self) -> None:
        stuck = delivery(1)

        assert not is_held(delivery(2, reference="order-2"), [stuck])
        assert not is_held(delivery(2, webhook="wh-2"), [stuck])

    def test_events_of_no_payment_are_never_held(self) -> None:
        stuck = delivery(1, reference=None)

        assert not is_held(delivery(2, reference=None), [stuck])

    def test_sendable_means_pending_due_and_not_held(self) -> None:
        first = delivery(1)
        later = replace(delivery(3, reference="order-3"), next_attempt_at=T0 + timedelta(seconds=2))

        assert is_sendable(first, [first], T0)
        assert not is_sendable(delivery(2), [first], T0)
        assert not is_sendable(later, [], T0)
        assert is_sendable(later, [], T0 + timedelta(seconds=2))
        assert not is_sendable(delivery(4, state=S.DELIVERED), [], T0)


@pytest.mark.parametrize(
    ("due_after", "now_after", "overdue"),
    [
        (timedelta(days=6), timedelta(days=6, minutes=1), False),  # a retry sent late, but inside the window
        (timedelta(days=6), RETRY_WINDOW + timedelta(seconds=1), True),  # nobody sent it before the window closed
        (RETRY_WINDOW, RETRY_WINDOW, False),  # the very end of the window still counts
        (timedelta(days=8), timedelta(days=8), False),  # an operator's resend, asked for after the window
    ],
)
def test_a_retry_due_inside_the_seven_days_is_not_sent_after_them(
        due_after: timedelta, now_after: timedelta, overdue: bool) -> None:
    assert is_overdue(T0, T0 + due_after, T0 + now_after) is overdue
