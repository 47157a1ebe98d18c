"""Random operation sequences through the use cases, checking the contract's §4.9 invariants after each step."""

from collections.abc import Callable, Sequence
from datetime import timedelta
from itertools import pairwise

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from kasse.domain.errors import DomainError
from kasse.domain.events import PaymentEvent
from kasse.domain.magic_amounts import MAGIC_AMOUNTS, refund_refusal
from kasse.domain.money import Currency, Money
from kasse.domain.payment import Payment
from kasse.domain.payment_state import EventName, Operation, PaymentState
from kasse.domain.transitions import REFUSALS, TRANSITIONS
from kasse.services import payments as use
from kasse.services.expiry import expire_due_payments
from kasse.services.payment_commands import CancelPayment, ModifyPayment
from tests.fakes import ALL_EVENT_TYPES, FakeClock, InMemoryUnitOfWork, SequentialIds, a_create, a_merchant, subscribe

MSN = "123456"
S = PaymentState
MAX_PAYMENTS = 3  # a few payments per run, so each lives long enough to be captured and refunded

# the test environment's magic amounts (contract §9) change what approving does; they have tests of their own
payment_values = st.integers(min_value=100, max_value=5000).filter(lambda v: v not in MAGIC_AMOUNTS)
# a share of what is left (100 = all of it) or, now and then, any value at all, valid or not
shares = st.one_of(st.integers(min_value=1, max_value=100), st.just(100))
raw_values = st.integers(min_value=-2, max_value=6000)
amounts = st.one_of(*[shares.map(lambda pct: ("share", pct))] * 4, raw_values.map(lambda v: ("raw", v)))
currencies = st.sampled_from([Currency.NOK] * 7 + [Currency.DKK])

# an independent reading of the event log: which state an event leaves, which total it adds to
STATE_AFTER = {EventName.CREATED: S.CREATED, EventName.AUTHORIZED: S.AUTHORIZED, EventName.ABORTED: S.ABORTED,
               EventName.EXPIRED: S.EXPIRED, EventName.TERMINATED: S.TERMINATED}
ADDS_TO = {EventName.CAPTURED: "captured", EventName.REFUNDED: "refunded", EventName.CANCELLED: "cancelled"}


def value_of(amount: tuple[str, int], left: int) -> int:
    kind, number = amount
    return max(1, left * number // 100) if kind == "share" else number


def replay(events: Sequence[PaymentEvent]) -> tuple[PaymentState, dict[str, int]]:
    state, totals = S.CREATED, dict.fromkeys(("authorized", "captured", "refunded", "cancelled"), 0)
    for event in (e for e in events if e.success):
        state = STATE_AFTER.get(event.name, state)
        if event.name is EventName.AUTHORIZED:
            totals["authorized"] = event.amount.value
        elif event.name is EventName.TERMINATED:
            totals["cancelled"] = event.amount.value
        elif event.name in ADDS_TO:
            totals[ADDS_TO[event.name]] += event.amount.value
    return state, totals


class PaymentLifecycle(RuleBasedStateMachine):
    references = Bundle("references")

    def __init__(self) -> None:
        super().__init__()
        self.uow, self.clock, self.ids = InMemoryUnitOfWork(), FakeClock(), SequentialIds()
        self.partial = True

    @initialize(target=references, partial=st.booleans(), value=payment_values)
    def sales_unit_with_a_reservation(self, partial: bool, value: int) -> str:
        # every run starts with one reservation, so captures, refunds and cancels have something to act on
        self.partial = partial
        self.uow.merchants.add(a_merchant(MSN, partial_capture_allowed=partial))
        subscribe(self.uow, MSN, "hook-1", ALL_EVENT_TYPES)
        reference = self.create(value)
        use.approve_payment(self.uow, self.clock, self.ids, self.load(reference))
        return reference

    def load(self, reference: str) -> Payment:
        return use.load(self.uow, MSN, reference)

    def using(self, use_case: Callable[..., Payment], cmd: object) -> Callable[[], Payment]:
        return lambda: use_case(self.uow, self.clock, self.ids, cmd)

    def attempt(self, reference: str, op: Operation, allowed: bool, act: Callable[[], Payment]) -> None:
        """Run `act`; it must succeed exactly when `allowed`, and a refusal must change nothing."""
        before, log, queued = self.load(reference), len(self.uow.events.log), len(self.uow.deliveries.queued())
        try:
            after = act()
        except DomainError as err:
            assert not allowed, f"{op} refused with {err.code} on {before}"
            assert (self.load(reference), len(self.uow.events.log), len(self.uow.deliveries.queued())) == (
                before, log, queued,
            ), f"refused {op} wrote something"
            if (before.state, op) in REFUSALS and op in (Operation.CAPTURE, Operation.REFUND):
                assert err.code is REFUSALS[(before.state, op)]
            return
        assert allowed, f"{op} went through on {before}"
        step = TRANSITIONS[(before.state, op)]
        assert (after, after.state, after.version) == (self.load(reference), step.to, before.version + 1)
        assert [e.name for e in self.uow.events.log[log:]] == [step.event]

    @precondition(lambda self: len(self.uow.payments.rows) < MAX_PAYMENTS)
    @rule(target=references, value=payment_values)
    def create(self, value: int) -> str:
        reference = f"order-{len(self.uow.payments.rows):04d}"
        use.create_payment(self.uow, self.clock, self.ids, a_create(reference, value, MSN), None)
        return reference

    @rule(reference=references, approve=st.sampled_from([True, True, True, False]))
    def answer(self, reference: str, approve: bool) -> None:
        payment = self.load(reference)
        waiting = payment.state is S.CREATED and self.clock.now() < payment.expires_at
        act = use.approve_payment if approve else use.reject_payment
        op = Operation.APPROVE if approve else Operation.REJECT
        self.attempt(reference, op, waiting, lambda: act(self.uow, self.clock, self.ids, payment))

    @rule(minutes=st.sampled_from([0, 1, 3, 11]))
    def tick(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    @rule()
    def sweep(self) -> None:
        due = {p.reference for p in self.uow.payments.rows.values()
               if p.state is S.CREATED and p.expires_at <= self.clock.now()}

        moved = expire_due_payments(self.uow, self.clock, self.ids)

        assert moved == len(due)
        assert all(self.load(reference).state is S.EXPIRED for reference in due)

    @rule(reference=references, amount=amounts, currency=currencies)
    def capture(self, reference: str, amount: tuple[str, int], currency: Currency) -> None:
        p = self.load(reference)
        value = value_of(amount, p.remaining)
        allowed = (p.state is S.AUTHORIZED and currency is Currency.NOK and 0 < value <= p.remaining
                   and (self.partial or value == p.authorized))
        cmd = ModifyPayment(MSN, reference, Money(value, currency), f"key-{len(self.uow.events.log)}")
        self.attempt(reference, Operation.CAPTURE, allowed, self.using(use.capture_payment, cmd))

    @rule(reference=references, amount=amounts, currency=currencies)
    def refund(self, reference: str, amount: tuple[str, int], currency: Currency) -> None:
        p = self.load(reference)
        value = value_of(amount, p.refundable)
        allowed = (p.state is S.AUTHORIZED and currency is Currency.NOK and 0 < value <= p.refundable
                   and refund_refusal(value) is None)
        cmd = ModifyPayment(MSN, reference, Money(value, currency), None)
        self.attempt(reference, Operation.REFUND, allowed, self.using(use.refund_payment, cmd))

    @rule(reference=references, transaction_only=st.booleans())
    def cancel(self, reference: str, transaction_only: bool) -> None:
        p = self.load(reference)
        allowed = p.state is S.CREATED or (p.state is S.AUTHORIZED and not transaction_only and p.remaining > 0)
        cmd = CancelPayment(MSN, reference, None, transaction_only)
        self.attempt(reference, Operation.CANCEL, allowed, self.using(use.cancel_payment, cmd))

    @invariant()
    def aggregates_keep_the_contracts_invariants(self) -> None:
        for p in self.uow.payments.rows.values():
            assert min(p.authorized, p.captured, p.refunded, p.cancelled) >= 0, p
            assert p.authorized in (0, p.amount.value), p
            assert p.refunded <= p.captured, p
            if p.state is S.AUTHORIZED:
                assert p.captured + p.cancelled <= p.authorized == p.amount.value, p
            else:
                assert p.authorized == p.captured == p.refunded == 0, p
                assert p.cancelled == (p.amount.value if p.state is S.TERMINATED else 0), p

    @invariant()
    def the_event_log_replays_to_each_payment(self) -> None:
        for p in self.uow.payments.rows.values():
            events = self.uow.events.list(MSN, p.reference)
            state, totals = replay(events)
            assert (events[0].name, events[0].psp_reference) == (EventName.CREATED, p.psp_reference)
            assert (state, totals, p.version) == (
                p.state, {"authorized": p.authorized, "captured": p.captured, "refunded": p.refunded,
                          "cancelled": p.cancelled}, len(events) - 1,
            )
            assert all(e.amount.currency is p.amount.currency for e in events)

    @invariant()
    def every_event_has_its_own_psp_reference_and_one_webhook(self) -> None:
        log = self.uow.events.log
        assert len({e.psp_reference for e in log}) == len(log)
        assert [(d.event_id, d.event_type) for d in self.uow.deliveries.queued()] == [
            (i, e.name.webhook_event) for i, e in enumerate(log, start=1)
        ]
        assert all(a.timestamp <= b.timestamp for a, b in pairwise(log))


def test_random_operations_keep_the_aggregate_invariants_and_a_consistent_event_log() -> None:
    run_state_machine_as_test(
        PaymentLifecycle, settings=settings(max_examples=200, stateful_step_count=30, deadline=None)
    )
