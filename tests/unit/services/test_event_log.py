"""The event log (contract §4.4): one event per operation, with its own amount and key; the aggregate sums them."""

from kasse.domain.payment_state import EventName
from tests.unit.services.payment_support import MSN, Shop

REF = "order-0001"


def lifecycle() -> Shop:
    """Create, approve, capture twice, refund, and cancel the rest, with a key on every keyed step."""
    shop = Shop()
    shop.create(REF, 10000, idempotency_key="create")
    shop.approve(REF)
    shop.capture(REF, 3000, key="cap-1")
    shop.capture(REF, 2000, key="cap-2")
    shop.refund(REF, 1000, key="refund")
    shop.cancel(REF)
    return shop


def test_every_operation_appends_one_event_with_its_own_amount_and_key() -> None:
    events = lifecycle().uow.events.list(MSN, REF)

    assert [(e.name, e.amount.value, e.idempotency_key) for e in events] == [
        (EventName.CREATED, 10000, "create"),
        (EventName.AUTHORIZED, 10000, "create"),
        (EventName.CAPTURED, 3000, "cap-1"),
        (EventName.CAPTURED, 2000, "cap-2"),
        (EventName.REFUNDED, 1000, "refund"),
        (EventName.CANCELLED, 5000, "cancel-1"),
    ]
    assert all(e.success and e.reference == REF and e.amount.currency.value == "NOK" for e in events)


def test_the_aggregate_is_the_sum_of_the_events() -> None:
    shop = lifecycle()
    events = shop.uow.events.list(MSN, REF)

    def total(name: EventName) -> int:
        return sum(e.amount.value for e in events if e.name is name)

    assert shop.aggregate(REF) == (total(EventName.AUTHORIZED), total(EventName.CAPTURED),
                                   total(EventName.CANCELLED), total(EventName.REFUNDED))
