"""Approvals racing cancels and expiry on a real store (issue #8): exactly one outcome wins.

Hypothesis runs random sequences of races against the SQLite adapter (PostgreSQL under
KASSE_TEST_DATABASE_URL): on a waiting payment, an approval and a cancel, or an approval and the
expiry sweep at the deadline, go to the database at once from two threads. Each is allowed on its
own, so whichever commits first wins and the other must get the contract's refusal; the event log
and the webhook outbox hold the winner's event only; a cancelled or expired payment moves no money,
then or later. The unit-level state machine beside the domain tests runs the same use cases one at
a time over fakes (tests/unit/domain/test_payment_properties.py).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from kasse.adapters.sql.unit_of_work import SqlUnitOfWork
from kasse.adapters.sql.webhook_repositories import delivery_history
from kasse.bootstrap import build
from kasse.container import Container
from kasse.domain.errors import DomainError, ErrorCode
from kasse.domain.magic_amounts import MAGIC_AMOUNTS
from kasse.domain.money import Currency, Money
from kasse.domain.payment_state import EventName, PaymentState
from kasse.domain.webhook_registration import PAYMENT_EVENTS
from kasse.services import payments as use
from kasse.services.expiry import expire_due_payments
from kasse.services.payment_commands import CancelPayment, ModifyPayment
from kasse.services.webhooks import register_webhook
from kasse.settings import Settings
from tests.fakes import FakeClock, a_create
from tests.harness import TEST_DATABASE_URL, schema_url
from tests.unit.domain.test_payment_properties import replay

MSN = "123456"  # the demo sales unit, seeded by build()
S, E = PaymentState, EventName
MOVES_NO_MONEY = (S.TERMINATED, S.EXPIRED)
TICK = timedelta(microseconds=1)

payment_values = st.integers(min_value=100, max_value=50000).filter(lambda v: v not in MAGIC_AMOUNTS)
Outcome = ErrorCode | None  # None: it went through; else the code it was refused with


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    """A real store (no HTTP, no background loops), with a webhook registered so the outbox fills."""
    path = Path(tmp_path_factory.mktemp("races")) / "kasse.db"
    url = schema_url(str(path)) if TEST_DATABASE_URL else None
    container = build(Settings(database=str(path), database_url=url, synchronous="NORMAL"))
    container.db.write_sync(lambda uow: register_webhook(
        uow, container.clock, container.ids, msn=MSN, url="http://127.0.0.1:9/hook", events=PAYMENT_EVENTS,
        production=False))
    try:
        yield container
    finally:
        container.db.close()


def attempt(container: Container, job: Callable[[SqlUnitOfWork], Any]) -> Any:
    """Run one job in its own transaction; return its result, or the ErrorCode the domain refused it with."""
    try:
        return container.db.write_sync(job)
    except DomainError as refused:
        return refused.code


def race(container: Container, *jobs: Callable[[SqlUnitOfWork], Any], reverse: bool = False) -> list[Any]:
    """Release every job to the database at the same moment, each from its own thread; return what each got.

    The thread started last tends to be first through the barrier, so `reverse` (start the threads in
    the other order) lets hypothesis steer which side usually wins on SQLite's single writer; on
    PostgreSQL the two transactions overlap for real.
    """
    start, results = threading.Barrier(len(jobs)), [None] * len(jobs)

    def run(i: int, job: Callable[[SqlUnitOfWork], Any]) -> None:
        start.wait()
        results[i] = attempt(container, job)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in reversed(threads) if reverse else threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def outcome(result: Any) -> Outcome:
    return result if isinstance(result, ErrorCode) else None


class ApprovalRaces(RuleBasedStateMachine):
    container: Container  # set by the test: one store for every run
    winners: Counter[str]

    references = Bundle("references")

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def create(self, value: int, at: datetime) -> str:
        ref = f"race-{self.container.ids.token()[:20]}"
        clock = FakeClock(at)
        self.container.db.write_sync(
            lambda uow: use.create_payment(uow, clock, self.container.ids, a_create(ref, value, MSN), None))
        self.refs.append(ref)
        return ref

    def read(self, ref: str) -> tuple[Any, list[Any]]:
        return self.container.db.read(lambda uow: (use.load(uow, MSN, ref), list(uow.events.list(MSN, ref))))

    def approve(self, ref: str, at: datetime) -> Callable[[SqlUnitOfWork], Any]:
        clock, ids = FakeClock(at), self.container.ids
        return lambda uow: use.force_approve_payment(uow, clock, ids, MSN, ref, None)

    @rule(target=references, value=payment_values, transaction_only=st.booleans(), reverse=st.booleans())
    def approval_races_a_cancel(self, value: int, transaction_only: bool, reverse: bool) -> str:
        now = datetime.now(UTC)
        ref = self.create(value, now)
        clock, ids = FakeClock(now + TICK), self.container.ids
        cancel = CancelPayment(MSN, ref, None, transaction_only)

        approved, cancelled = map(outcome, race(
            self.container, self.approve(ref, now + TICK), lambda uow: use.cancel_payment(uow, clock, ids, cancel),
            reverse=reverse))

        payment, events = self.read(ref)
        names = [e.name for e in events]
        if names == [E.CREATED, E.TERMINATED]:
            self.winners["cancel"] += 1
            assert (approved, cancelled) == (ErrorCode.APPROVE_FAILED, None)
        elif transaction_only:  # cancelTransactionOnly: the POS asked to cancel only if not yet approved
            self.winners["approval"] += 1
            assert names == [E.CREATED, E.AUTHORIZED]
            assert (approved, cancelled) == (None, ErrorCode.CANNOT_CANCEL_AUTHORIZED)
        else:  # a plain cancel after the approval releases the whole reservation
            self.winners["approval"] += 1
            assert names == [E.CREATED, E.AUTHORIZED, E.CANCELLED]
            assert (approved, cancelled) == (None, None)
            assert payment.cancelled == payment.authorized == value
        return ref

    @rule(target=references, value=payment_values, reverse=st.booleans())
    def approval_races_the_expiry_sweep_at_the_deadline(self, value: int, reverse: bool) -> str:
        ref = self.create(value, datetime.now(UTC))
        deadline = self.read(ref)[0].expires_at
        sweeper, ids = FakeClock(deadline), self.container.ids

        # the customer approves a microsecond before the deadline, while the sweeper runs at it
        approved, moved = race(
            self.container, self.approve(ref, deadline - TICK), lambda uow: expire_due_payments(uow, sweeper, ids),
            reverse=reverse)

        names = [e.name for e in self.read(ref)[1]]
        if names == [E.CREATED, E.EXPIRED]:
            self.winners["expiry"] += 1
            assert (outcome(approved), moved) == (ErrorCode.APPROVE_FAILED, 1)
        else:
            self.winners["approval before the deadline"] += 1
            assert names == [E.CREATED, E.AUTHORIZED]
            assert (outcome(approved), moved) == (None, 0)
        return ref

    @rule(ref=references, share=st.integers(min_value=1, max_value=100))
    def capture_afterwards(self, ref: str, share: int) -> None:
        before, log = self.read(ref)
        value = max(1, before.remaining * share // 100)
        cmd = ModifyPayment(MSN, ref, Money(value, Currency.NOK), None)
        clock, ids = FakeClock(datetime.now(UTC)), self.container.ids

        captured = attempt(self.container, lambda uow: use.capture_payment(uow, clock, ids, cmd))

        after, events = self.read(ref)
        if before.state is S.AUTHORIZED and before.remaining > 0:
            assert outcome(captured) is None and after.captured == before.captured + value
        else:
            assert outcome(captured) is not None, f"a capture of {before} went through"
            assert (after, events) == (before, log)

    @invariant()
    def the_event_log_and_the_outbox_agree_with_each_payment(self) -> None:
        for ref in self.refs:
            payment, events = self.read(ref)
            state, totals = replay(events)
            assert (state, totals) == (payment.state, {"authorized": payment.authorized,
                                                       "captured": payment.captured, "refunded": payment.refunded,
                                                       "cancelled": payment.cancelled})
            if payment.state in MOVES_NO_MONEY:
                assert payment.authorized == payment.captured == payment.refunded == 0
            queued = self.container.db.read(lambda uow: delivery_history(uow.conn, reference=ref))  # noqa: B023
            assert [d.delivery.event_type for d in reversed(queued)] == [e.name.webhook_event for e in events]


def test_approvals_racing_cancels_and_expiry_leave_exactly_one_winner(store: Container) -> None:
    ApprovalRaces.container, ApprovalRaces.winners = store, Counter()

    # no shrinking: a lost race does not replay step for step, so the first failing run is the report
    run_state_machine_as_test(ApprovalRaces, settings=settings(
        max_examples=25, stateful_step_count=8, deadline=None, phases=[Phase.explicit, Phase.generate]))

    # both sides won some races of each kind: the races were real, not one fixed order. On PostgreSQL the sweep
    # wins most races against the approval (one statement against two); an outcome the examples happened not to
    # show is raced for on its own, up to 200 more times, so only an outcome that never happens fails here
    extra, kinds = ApprovalRaces(), {"approval", "cancel", "approval before the deadline", "expiry"}
    for i in range(200):
        if set(ApprovalRaces.winners) == kinds:
            break
        if {"approval", "cancel"} - set(ApprovalRaces.winners):
            extra.approval_races_a_cancel(100 + i, transaction_only=i % 4 < 2, reverse=i % 2 == 0)
        else:
            extra.approval_races_the_expiry_sweep_at_the_deadline(100 + i, reverse=i % 2 == 0)
    assert set(ApprovalRaces.winners) == kinds, ApprovalRaces.winners
