"""Whom a create request reaches (services/customers.py), through `create_payment` with in-memory fakes."""

from datetime import date, timedelta

import pytest

from kasse.domain.errors import DomainError, ErrorCode
from kasse.domain.inbox import RequestSource
from kasse.domain.money import Market
from kasse.domain.personal_qr import v1_content, v2_content
from kasse.domain.static_qr import CUSTOMER_TOKEN_LIFETIME, MerchantCallbackQr
from kasse.domain.user import Behaviour, User, WalletAction
from kasse.services import payments, wallet
from kasse.services.payment_commands import Customer, CustomerKind, UserFlow
from kasse.services.users import UserError, UserSpec, create_user, set_behaviour
from tests.fakes import EPOCH, FakeClock, InMemoryUnitOfWork, SequentialIds, a_create, a_merchant

ADULT, CHILD, DANE = "4712345678", "4791234567", "4512345678"
BASE = "http://kasse.test"


@pytest.fixture
def uow(clock: FakeClock, ids: SequentialIds) -> InMemoryUnitOfWork:
    uow = InMemoryUnitOfWork()
    uow.merchants.add(a_merchant())
    uow.merchants.add(a_merchant("654321"))
    create_user(uow, clock, ids, UserSpec(ADULT, "Kari Nordmann", date(1985, 4, 12)))
    create_user(uow, clock, ids, UserSpec(CHILD, "Emma Nordmann", date(2012, 6, 20)))
    create_user(uow, clock, ids, UserSpec(DANE, "Mette Jensen", date(1988, 11, 30)))
    return uow


def push(uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds, kind: CustomerKind, value: str,
         reference: str = "order-0001", **wire: object) -> None:
    cmd = a_create(reference, user_flow=UserFlow.PUSH_MESSAGE, customer=Customer(kind, value), wire=dict(wire))
    payments.create_payment(uow, clock, ids, cmd, token=f"tok-{reference}")


def user(uow: InMemoryUnitOfWork, msisdn: str) -> User:
    found = uow.users.get(msisdn)
    assert found is not None
    return found


def test_a_phone_number_puts_the_payment_in_that_users_wallet(uow: InMemoryUnitOfWork, clock: FakeClock,
                                                             ids: SequentialIds) -> None:
    push(uow, clock, ids, CustomerKind.PHONE_NUMBER, ADULT)

    request = uow.wallet.get_request("123456", "order-0001")
    assert request is not None
    assert (request.msisdn, request.source, request.arrived_at) == (ADULT, RequestSource.PUSH, EPOCH)


@pytest.mark.parametrize(
    ("msisdn", "wire"),
    [("4700000000", {}), (DANE, {}), (CHILD, {"minimumUserAge": 18}), (ADULT, {"minimumUserAge": 60})],
    ids=["unknown", "other-market", "too-young", "too-young-adult"],
)
def test_a_customer_who_cannot_pay_is_not_found(uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds,
                                                 msisdn: str, wire: dict[str, object]) -> None:
    with pytest.raises(DomainError) as refused:
        push(uow, clock, ids, CustomerKind.PHONE_NUMBER, msisdn, **wire)

    assert refused.value.code is ErrorCode.CUSTOMER_NOT_FOUND
    assert uow.payments.get("123456", "order-0001") is None


def test_old_enough_is_old_enough(uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds) -> None:
    push(uow, clock, ids, CustomerKind.PHONE_NUMBER, ADULT, minimumUserAge=18)

    assert uow.wallet.get_request("123456", "order-0001") is not None


@pytest.mark.parametrize("version", ["1.0", "2.0"])
def test_either_personal_qr_format_finds_the_user(uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds,
                                                  version: str) -> None:
    kari = user(uow, ADULT)
    content = v1_content(ADULT) if version == "1.0" else v2_content(kari.qr_token)

    push(uow, clock, ids, CustomerKind.PERSONAL_QR, content)

    request = uow.wallet.get_request("123456", "order-0001")
    assert request is not None and request.msisdn == ADULT


@pytest.mark.parametrize("content", ["https://qr.vipps.no/p/unknown-token-123", v1_content("4700000000"),
                                     "not a qr code"])
def test_a_personal_qr_of_nobody_is_invalid(uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds,
                                             content: str) -> None:
    with pytest.raises(DomainError) as refused:
        push(uow, clock, ids, CustomerKind.PERSONAL_QR, content)

    assert refused.value.code is ErrorCode.INVALID_PERSONAL_QR


def check_in(uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds, msn: str = "123456") -> str:
    uow.static_qrs.save_callback(MerchantCallbackQr(msn, "till-1", "Kasse 1", EPOCH))
    outcome = wallet.scan(uow, clock, ids, user(uow, ADULT), f"{BASE}/q/c/{msn}/till-1", BASE)
    assert outcome.check_in is not None
    return outcome.check_in.token


def test_a_customer_token_reaches_the_user_who_checked_in(uow: InMemoryUnitOfWork, clock: FakeClock,
                                                          ids: SequentialIds) -> None:
    token = check_in(uow, clock, ids)
    clock.advance(CUSTOMER_TOKEN_LIFETIME - timedelta(seconds=1))

    push(uow, clock, ids, CustomerKind.CUSTOMER_TOKEN, token)

    request = uow.wallet.request_for_check_in(token)
    assert request is not None
    assert (request.msisdn, request.source, request.reference) == (ADULT, RequestSource.CHECK_IN, "order-0001")


@pytest.mark.parametrize("case", ["expired", "other-msn", "unknown"])
def test_a_customer_token_that_is_stale_foreign_or_made_up_is_invalid(
    uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds, case: str
) -> None:
    token = check_in(uow, clock, ids, msn="654321" if case == "other-msn" else "123456")
    if case == "expired":
        clock.advance(CUSTOMER_TOKEN_LIFETIME)
    if case == "unknown":
        token = "made-up-token"

    with pytest.raises(DomainError) as refused:
        push(uow, clock, ids, CustomerKind.CUSTOMER_TOKEN, token)

    assert refused.value.code is ErrorCode.INVALID_CUSTOMER_TOKEN


def test_a_payment_without_customer_reaches_no_wallet(uow: InMemoryUnitOfWork, clock: FakeClock,
                                                      ids: SequentialIds) -> None:
    payments.create_payment(uow, clock, ids, a_create(), token="tok-1")

    assert uow.wallet.requests == {}


def test_a_behaviour_schedules_its_answer_on_arrival(uow: InMemoryUnitOfWork, clock: FakeClock,
                                                     ids: SequentialIds) -> None:
    set_behaviour(uow, ADULT, Behaviour.AUTO_APPROVE, 30)

    push(uow, clock, ids, CustomerKind.PHONE_NUMBER, ADULT)

    request = uow.wallet.get_request("123456", "order-0001")
    assert request is not None
    assert (request.due_action, request.due_at) == (WalletAction.APPROVE, EPOCH + timedelta(seconds=30))


def test_users_of_every_market_get_a_market_from_their_country_code(uow: InMemoryUnitOfWork, clock: FakeClock,
                                                                   ids: SequentialIds) -> None:
    finn = create_user(uow, clock, ids, UserSpec("358401234567"))

    assert (finn.market, user(uow, DANE).market) == (Market.FI, Market.DK)
    assert finn.card.last4 == "4567" and finn.name


def test_a_number_naming_no_market_needs_one_and_delays_stay_in_range(uow: InMemoryUnitOfWork, clock: FakeClock,
                                                                     ids: SequentialIds) -> None:
    with pytest.raises(UserError):
        create_user(uow, clock, ids, UserSpec("1234567890"))
    with pytest.raises(UserError):
        set_behaviour(uow, ADULT, Behaviour.AUTO_APPROVE, 3601)

    assert create_user(uow, clock, ids, UserSpec("1234567890", market=Market.NO)).market is Market.NO


@pytest.mark.parametrize(("spec", "field"), [
    (UserSpec("4799887766", birth_date=(EPOCH + timedelta(days=1)).date()), "birthDate"),
    (UserSpec("4799887766", birth_date=date(2099, 1, 1)), "birthDate"),
    (UserSpec("4799887766", birth_date=date(1899, 12, 31)), "birthDate"),
    (UserSpec("4799887766", name="x" * 5000), "name"),
    (UserSpec("4799887766\n"), "msisdn"),
], ids=["tomorrow-on-kasses-clock", "2099", "before-1900", "5000-characters", "trailing-newline"])
def test_a_user_the_api_would_refuse_is_refused_naming_the_field(uow: InMemoryUnitOfWork, clock: FakeClock,
                                                                 ids: SequentialIds, spec: UserSpec,
                                                                 field: str) -> None:
    with pytest.raises(UserError) as refused:
        create_user(uow, clock, ids, spec)

    assert refused.value.field == field
    assert uow.users.get("4799887766") is None


def test_a_user_born_today_on_kasses_clock_is_welcome(uow: InMemoryUnitOfWork, clock: FakeClock,
                                                       ids: SequentialIds) -> None:
    born = create_user(uow, clock, ids, UserSpec("4799887766", birth_date=EPOCH.date()))

    assert born.birth_date == EPOCH.date()
