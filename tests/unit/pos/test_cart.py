"""The POS's money arithmetic: VAT inside VAT-inclusive prices, cart totals, quantities."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kasse.pos.cart import MAX_QUANTITY, VAT_RATES, Product, build_cart, change_quantity, kr, vat_included
from kasse.pos.payment_request import CheckoutError, order_lines, phone_number, receipt

CATALOGUE = [Product("a", "Coffee", 4900, 1500), Product("b", "Mug", 14900, 2500)]


@pytest.mark.parametrize(("total", "rate", "vat"), [(12500, 2500, 2500), (4900, 1500, 639), (151, 2500, 30),
                                                    (1000, 0, 0), (1, 2500, 0), (3, 2500, 1)])
def test_vat_is_taken_out_of_the_inclusive_total_rounded_half_up(total: int, rate: int, vat: int) -> None:
    assert vat_included(total, rate) == vat


@given(st.integers(0, 10**9), st.sampled_from(VAT_RATES))
def test_vat_never_exceeds_the_exact_share_by_half_a_unit(total: int, rate: int) -> None:
    exact = total * rate / (10000 + rate)

    assert abs(vat_included(total, rate) - exact) <= 0.5


def test_a_cart_adds_its_lines_and_their_vat() -> None:
    cart = build_cart({"a": 2, "b": 1, "gone": 3}, CATALOGUE)

    assert (cart.total, cart.vat, cart.count) == (24700, 1278 + 2980, 3)
    assert cart.total == sum(line.total_excluding_vat + line.vat for line in cart.lines)
    assert [line.product.id for line in cart.lines] == ["a", "b"]


def test_quantities_stay_between_zero_and_the_maximum() -> None:
    assert change_quantity({"a": 1}, "a", -1) == {}
    assert change_quantity({}, "a", 500) == {"a": MAX_QUANTITY}


def test_the_receipt_lines_add_up_to_the_sale_total() -> None:
    cart = build_cart({"a": 3, "b": 1}, CATALOGUE)

    sent = receipt(order_lines(cart), "NOK", "till-1", 42)

    assert sum(line.total_amount for line in sent.order_lines) == cart.total
    assert all(ln.total_amount_excluding_tax + ln.total_tax_amount == ln.total_amount for ln in sent.order_lines)
    assert (sent.bottom_line.pos_id, sent.bottom_line.receipt_number) == ("till-1", "42")


@pytest.mark.parametrize(("typed", "msisdn"), [("123 45 678", "4712345678"), ("+47 412 34 567", "4741234567"),
                                               ("0045 12345678", "4512345678")])
def test_a_typed_phone_number_becomes_an_msisdn(typed: str, msisdn: str) -> None:
    assert phone_number(typed) == msisdn


@pytest.mark.parametrize("typed", ["", "12345", "abc def gh", "+47 12"])
def test_a_phone_number_that_is_not_one_is_refused_with_advice(typed: str) -> None:
    with pytest.raises(CheckoutError, match="Enter a phone number"):
        phone_number(typed)


def test_amounts_read_as_a_norwegian_till_writes_them() -> None:
    assert [kr(0), kr(4900), kr(123456)] == ["0,00 kr", "49,00 kr", "1\u202f234,56 kr"]
