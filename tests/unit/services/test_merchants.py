import pytest

from kasse.domain.merchant import MerchantFieldError, hash_secret
from kasse.domain.money import Currency, Market
from kasse.services.merchants import MerchantExistsError, MerchantSpec, authenticate, create_merchant
from tests.fakes import EPOCH, FakeClock, InMemoryUnitOfWork, SequentialIds, a_merchant

GIVEN = MerchantSpec(
    name="Kiosk", market=Market.DK, msn="222222", client_id="client-kiosk", client_secret="s3cret",
    subscription_key="sub-key-kiosk", push_allowed=False, partial_capture_allowed=False, long_living_allowed=False,
)


def test_a_new_sales_unit_gets_fresh_credentials_and_stores_only_their_hashes() -> None:
    uow = InMemoryUnitOfWork()

    made = create_merchant(uow, FakeClock(), SequentialIds(), MerchantSpec())

    merchant = made.merchant
    assert uow.merchants.get(merchant.msn) == merchant
    assert merchant.msn.isdigit() and len(merchant.msn) == 6
    assert (merchant.market, merchant.currency, merchant.created_at) == (Market.NO, Currency.NOK, EPOCH)
    assert made.client_secret and made.client_secret not in merchant.client_secret_hash
    assert merchant.client_secret_hash == hash_secret(made.client_secret)
    assert len(set(made.subscription_keys)) == 2
    assert merchant.subscription_key_hashes == tuple(hash_secret(k) for k in made.subscription_keys)
    assert not set(made.subscription_keys) & set(merchant.subscription_key_hashes)


def test_a_sales_unit_keeps_what_the_caller_chose() -> None:
    made = create_merchant(InMemoryUnitOfWork(), FakeClock(), SequentialIds(), GIVEN)

    m = made.merchant
    assert (m.msn, m.name, m.client_id, m.currency, made.client_secret) == (
        "222222", "Kiosk", "client-kiosk", Currency.DKK, "s3cret",
    )
    assert made.subscription_keys[0] == "sub-key-kiosk"
    assert m.owns_key("sub-key-kiosk")
    assert (m.push_allowed, m.partial_capture_allowed, m.long_living_allowed) == (False, False, False)


def test_a_generated_msn_skips_one_that_is_taken() -> None:
    taken = create_merchant(InMemoryUnitOfWork(), FakeClock(), SequentialIds(), MerchantSpec()).merchant.msn
    uow = InMemoryUnitOfWork()
    uow.merchants.add(a_merchant(taken))

    made = create_merchant(uow, FakeClock(), SequentialIds(), MerchantSpec())

    assert made.merchant.msn != taken
    assert len(uow.merchants.rows) == 2


@pytest.mark.parametrize(
    "spec",
    [MerchantSpec(msn="222222"), MerchantSpec(client_id="client-kiosk")],
    ids=["msn", "client_id"],
)
def test_a_taken_msn_or_client_id_is_refused(spec: MerchantSpec) -> None:
    uow = InMemoryUnitOfWork()
    create_merchant(uow, FakeClock(), SequentialIds(), GIVEN)

    with pytest.raises(MerchantExistsError):
        create_merchant(uow, FakeClock(), SequentialIds(), spec)

    assert list(uow.merchants.rows) == ["222222"]


@pytest.fixture
def uow() -> InMemoryUnitOfWork:
    uow = InMemoryUnitOfWork()
    create_merchant(uow, FakeClock(), SequentialIds(), GIVEN)
    return uow


@pytest.mark.parametrize("subscription_key", ["sub-key-kiosk", "second"])
def test_either_subscription_key_authenticates(subscription_key: str) -> None:
    uow = InMemoryUnitOfWork()
    made = create_merchant(uow, FakeClock(), SequentialIds(), GIVEN)
    merchant = uow.merchants.rows["222222"]
    key = made.subscription_keys[1] if subscription_key == "second" else subscription_key

    assert authenticate(uow, "client-kiosk", "s3cret", key) == merchant


@pytest.mark.parametrize(
    ("client_id", "secret", "key"),
    [
        ("client-unknown", "s3cret", "sub-key-kiosk"),
        ("client-kiosk", "wrong", "sub-key-kiosk"),
        ("client-kiosk", "s3cret", "sub-key-other"),
        ("client-kiosk", "", "sub-key-kiosk"),
        ("client-kiosk", "s3cret", "nøkkel"),
        ("client-kiosk", "søt", "sub-key-kiosk"),
    ],
    ids=["client-id", "secret", "subscription-key", "empty-secret", "non-ascii-key", "non-ascii-secret"],
)
def test_any_wrong_credential_authenticates_nobody(
    uow: InMemoryUnitOfWork, client_id: str, secret: str, key: str
) -> None:
    assert authenticate(uow, client_id, secret, key) is None


@pytest.mark.parametrize(
    ("market", "currency"), [(Market.NO, Currency.NOK), (Market.DK, Currency.DKK), (Market.FI, Currency.EUR)]
)
def test_a_sales_unit_takes_the_currency_of_its_market(market: Market, currency: Currency) -> None:
    assert a_merchant(market=market).currency is currency


@pytest.mark.parametrize(("spec", "field"), [
    (MerchantSpec(msn="abc"), "msn"),
    (MerchantSpec(msn="12"), "msn"),
    (MerchantSpec(msn="1" * 20), "msn"),
    (MerchantSpec(msn="1234\n"), "msn"),
    (MerchantSpec(name="x" * 5000), "name"),
    (MerchantSpec(name=""), "name"),
], ids=["letters", "two-digits", "twenty-digits", "trailing-newline", "5000-characters", "empty-name"])
def test_a_sales_unit_the_api_would_refuse_is_refused_here_too_naming_the_field(spec: MerchantSpec,
                                                                                 field: str) -> None:
    uow = InMemoryUnitOfWork()

    with pytest.raises(MerchantFieldError) as refused:
        create_merchant(uow, FakeClock(), SequentialIds(), spec)

    assert refused.value.field == field
    assert not uow.merchants.rows
