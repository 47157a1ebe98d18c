from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kasse.domain.money import (
    CURRENCY_OF_MARKET,
    MAXIMUM_VALUE,
    MINIMUM_PAYMENT,
    Currency,
    CurrencyMismatchError,
    Market,
    Money,
    format_local,
    format_major,
)

values = st.integers(min_value=-MAXIMUM_VALUE, max_value=MAXIMUM_VALUE)
currencies = st.sampled_from(Currency)


@given(values, values, currencies)
def test_adding_then_subtracting_gives_back_the_first_amount(a: int, b: int, currency: Currency) -> None:
    x, y = Money(a, currency), Money(b, currency)

    assert (x + y) - y == x
    assert (x + y).value == a + b


@given(values, values, currencies)
def test_order_follows_the_minor_units(a: int, b: int, currency: Currency) -> None:
    x, y = Money(a, currency), Money(b, currency)

    assert (x <= y) == (a <= b)
    assert (x < y) == (a < b)
    assert (x >= y) == (a >= b)


@given(values, currencies)
def test_zero_is_neutral(a: int, currency: Currency) -> None:
    assert Money(a, currency) + Money.zero(currency) == Money(a, currency)


@pytest.mark.parametrize(
    "combine",
    [
        lambda x, y: x + y,
        lambda x, y: x - y,
        lambda x, y: x <= y,
        lambda x, y: x < y,
        lambda x, y: x > y,
    ],
    ids=["add", "sub", "le", "lt", "gt"],
)
def test_amounts_in_different_currencies_never_combine(combine: Callable[[Money, Money], object]) -> None:
    nok, dkk = Money(100, Currency.NOK), Money(100, Currency.DKK)

    with pytest.raises(CurrencyMismatchError, match="DKK"):
        combine(nok, dkk)


def test_amounts_in_different_currencies_are_not_equal() -> None:
    assert Money(100, Currency.NOK) != Money(100, Currency.DKK)


def test_money_is_immutable() -> None:
    money = Money(100, Currency.NOK)

    with pytest.raises(AttributeError):
        money.value = 5  # type: ignore[misc]


def test_the_wire_form_is_the_contracts_amount_object() -> None:
    assert Money(49900, Currency.NOK).to_wire() == {"currency": "NOK", "value": 49900}


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(49900, Currency.NOK), "499.00 NOK"),
        (Money(5, Currency.DKK), "0.05 DKK"),
        (Money(0, Currency.EUR), "0.00 EUR"),
        (Money(-1250, Currency.EUR), "-12.50 EUR"),
        (Money(-5, Currency.NOK), "-0.05 NOK"),
        (Money(MAXIMUM_VALUE, Currency.NOK), "650000.00 NOK"),
    ],
)
def test_major_units_are_rendered_for_people(money: Money, text: str) -> None:
    assert format_major(money) == text


@pytest.mark.parametrize(
    ("market", "currency"), [(Market.NO, Currency.NOK), (Market.DK, Currency.DKK), (Market.FI, Currency.EUR)]
)
def test_each_market_takes_its_own_currency(market: Market, currency: Currency) -> None:
    assert CURRENCY_OF_MARKET[market] is currency


def test_every_currency_has_a_minimum_payment_from_the_contract() -> None:
    assert MINIMUM_PAYMENT == {Currency.NOK: 100, Currency.DKK: 1, Currency.EUR: 1}


@pytest.mark.parametrize(
    ("money", "shown"),
    [
        (Money(123450, Currency.NOK), "1\u202f234,50 kr"),
        (Money(5, Currency.DKK), "0,05 kr."),
        (Money(-990, Currency.EUR), "−9,90 €"),
    ],
)
def test_format_local_writes_amounts_as_a_nordic_screen_does(money: Money, shown: str) -> None:
    assert format_local(money) == shown
