from typing import Any

import pytest

from kasse.domain.webhook_registration import CHECKED_IN, PAYMENT_EVENTS, InvalidRegistrationError
from kasse.services.webhooks import WebhookNotFoundError, delete_webhook, list_webhooks, register_webhook
from tests.fakes import EPOCH, FakeClock, InMemoryUnitOfWork, SequentialIds

URL = "https://pos.example.com/hooks"


@pytest.fixture
def uow() -> Any:
    return InMemoryUnitOfWork()


_IDS = SequentialIds()


def register(uow: Any, msn: str = "123456", events: list[str] | None = None, url: str = URL) -> Any:
    return register_webhook(uow, FakeClock(), _IDS, msn=msn, url=url,
                            events=events or [PAYMENT_EVENTS[0]], production=True)


def test_a_registration_gets_an_id_and_its_own_secret(uow: Any) -> None:
    ids = SequentialIds()

    made = register_webhook(uow, FakeClock(), ids, msn="123456", url=URL, events=list(PAYMENT_EVENTS),
                            production=True)

    assert (made.id, made.secret) == ("psp-000001", "tok-000002")
    assert made.created_at == EPOCH
    assert list_webhooks(uow, "123456") == [made]


def test_the_twenty_sixth_registration_of_an_event_is_refused(uow: Any) -> None:
    for _ in range(25):
        register(uow)

    with pytest.raises(InvalidRegistrationError, match="limit is 25"):
        register(uow)
    register(uow, events=[PAYMENT_EVENTS[1]])
    register(uow, msn="654321")  # the limit is per sales unit


def test_a_second_check_in_registration_is_refused(uow: Any) -> None:
    register(uow, events=[CHECKED_IN])

    with pytest.raises(InvalidRegistrationError, match="limit is 1"):
        register(uow, events=[CHECKED_IN, PAYMENT_EVENTS[0]])


def test_a_refused_url_stores_nothing(uow: Any) -> None:
    with pytest.raises(InvalidRegistrationError):
        register(uow, url="http://127.0.0.1:9000/hook")  # production: https only

    assert list_webhooks(uow, "123456") == []


@pytest.mark.parametrize("events", [[], ["epayments.payment.created.v2"]], ids=["none", "unknown"])
def test_a_refused_event_list_stores_nothing(uow: Any, events: list[str]) -> None:
    with pytest.raises(InvalidRegistrationError):
        register_webhook(uow, FakeClock(), _IDS, msn="123456", url=URL, events=events, production=True)

    assert list_webhooks(uow, "123456") == []


def test_a_sales_unit_sees_and_deletes_only_its_own(uow: Any) -> None:
    mine = register(uow, msn="111111")

    with pytest.raises(WebhookNotFoundError):
        delete_webhook(uow, "222222", mine.id)

    assert list_webhooks(uow, "222222") == []
    assert list_webhooks(uow, "111111") == [mine]
    assert delete_webhook(uow, "111111", mine.id) == 0
    assert list_webhooks(uow, "111111") == []
