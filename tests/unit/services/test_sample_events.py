from typing import Any

import orjson
import pytest

from kasse.domain.money import Market
from kasse.domain.webhook_registration import CHECKED_IN, PAYMENT_EVENTS
from kasse.services.merchants import MerchantSpec, create_merchant
from kasse.services.sample_events import REFERENCE_PREFIX, send_test_event
from kasse.services.webhooks import WebhookNotFoundError, register_webhook
from tests.fakes import FakeClock, InMemoryUnitOfWork, SequentialIds

URL = "https://pos.example.com/hooks"
_IDS = SequentialIds()


@pytest.fixture
def uow() -> Any:
    made = InMemoryUnitOfWork()
    create_merchant(made, FakeClock(), SequentialIds(), MerchantSpec(msn="123456", market=Market.DK))
    return made


def register(uow: Any, events: list[str], msn: str = "123456") -> Any:
    return register_webhook(uow, FakeClock(), _IDS, msn=msn, url=URL, events=events, production=True)


def payload_of(uow: Any, delivery_id: int) -> dict[str, Any]:
    found: dict[str, Any] = orjson.loads(uow.deliveries.payloads[delivery_id])
    return found


def test_a_test_event_is_queued_to_that_registration_only(uow: Any) -> None:
    other = register(uow, [PAYMENT_EVENTS[1]])
    target = register(uow, [PAYMENT_EVENTS[1]])

    delivery_id = send_test_event(uow, FakeClock(), SequentialIds(), msn="123456", webhook_id=target.id)

    delivery = uow.deliveries.rows[delivery_id]
    assert (delivery.webhook_id, delivery.event_type) == (target.id, PAYMENT_EVENTS[1])
    assert all(d.webhook_id != other.id for d in uow.deliveries.rows.values())


def test_a_payment_test_event_has_the_payment_event_shape_in_the_unit_s_currency(uow: Any) -> None:
    hook = register(uow, [PAYMENT_EVENTS[1]])

    payload = payload_of(uow, send_test_event(uow, FakeClock(), SequentialIds(), msn="123456", webhook_id=hook.id))

    assert set(payload) == {"msn", "reference", "pspReference", "name", "amount", "timestamp", "idempotencyKey",
                            "success"}
    assert payload["reference"].startswith(REFERENCE_PREFIX)
    assert payload["amount"] == {"value": 100, "currency": "DKK"}
    assert payload["name"] == PAYMENT_EVENTS[1].split(".")[2].upper()


def test_a_check_in_test_event_carries_a_customer_token(uow: Any) -> None:
    hook = register(uow, [CHECKED_IN])

    payload = payload_of(uow, send_test_event(uow, FakeClock(), SequentialIds(), msn="123456", webhook_id=hook.id))

    assert payload["msn"] == "123456"
    assert payload["customerToken"].startswith(REFERENCE_PREFIX)


@pytest.mark.parametrize(("msn", "event_type"), [("654321", None), ("123456", CHECKED_IN)])
def test_another_unit_s_registration_or_an_unsubscribed_type_is_refused(uow: Any, msn: str,
                                                                         event_type: str | None) -> None:
    hook = register(uow, [PAYMENT_EVENTS[0]])

    with pytest.raises(WebhookNotFoundError):
        send_test_event(uow, FakeClock(), SequentialIds(), msn=msn, webhook_id=hook.id, event_type=event_type)
    assert not uow.deliveries.rows
