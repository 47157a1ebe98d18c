"""Order Management v2 through the SDK on a real server: attach a receipt, set a category, read both."""

from __future__ import annotations

import pytest

from kasse.sdk import (
    BadRequestError,
    Barcode,
    BarcodeFormat,
    BottomLine,
    CategoryLink,
    Client,
    ConflictError,
    Currency,
    NotFoundError,
    OrderCategory,
    OrderLine,
    PaymentSources,
    QuantityUnit,
    Receipt,
    UnitInfo,
)
from tests.integration.sdk.conftest import new_reference, requires

pytestmark = [pytest.mark.slow, requires("order-management")]

RECEIPT = Receipt(
    order_lines=(
        OrderLine(name="Apples", id="7", total_amount=3000, total_amount_excluding_tax=2400, total_tax_amount=600,
                  tax_rate=2500, unit_info=UnitInfo(unit_price=2000, quantity="1.5", quantity_unit=QuantityUnit.KG)),
        OrderLine(name="Bag", id="8", total_amount=200, total_amount_excluding_tax=160, total_tax_amount=40,
                  tax_rate=2500, is_return=True),
    ),
    bottom_line=BottomLine(currency=Currency.NOK, pos_id="till-1", receipt_number="42",
                           payment_sources=PaymentSources(card=2800),
                           barcode=Barcode(format=BarcodeFormat.CODE_128, data="R42")),
)


def test_a_receipt_and_a_category_are_stored_and_read_back_as_sent(client: Client) -> None:
    order_id = new_reference("order")

    receipt_id = client.receipts.attach(order_id, RECEIPT)
    category_id = client.receipts.set_category(order_id, OrderCategory.RECEIPT, "https://shop.example.com/r/42")
    details = client.receipts.get(order_id)

    assert receipt_id and category_id
    assert details.receipt == RECEIPT
    assert details.category == CategoryLink(category=OrderCategory.RECEIPT,
                                            order_details_url="https://shop.example.com/r/42")


def test_the_category_is_replaced_and_the_receipt_is_immutable(client: Client) -> None:
    order_id = new_reference("order")
    client.receipts.attach(order_id, RECEIPT)
    client.receipts.set_category(order_id, OrderCategory.GENERAL, "https://shop.example.com/o/1")

    client.receipts.set_category(order_id, OrderCategory.TICKET, "https://shop.example.com/t/1")
    with pytest.raises(ConflictError):
        client.receipts.attach(order_id, RECEIPT)

    details = client.receipts.get(order_id)
    assert details.category is not None and details.category.category is OrderCategory.TICKET


def test_an_order_with_nothing_attached_is_not_found(client: Client) -> None:
    with pytest.raises(NotFoundError):
        client.receipts.get(new_reference("order"))


def test_an_invalid_receipt_names_the_field_in_invalid_params(client: Client) -> None:
    empty = Receipt(order_lines=(), bottom_line=BottomLine(currency=Currency.NOK))

    with pytest.raises(BadRequestError) as raised:
        client.receipts.attach(new_reference("order"), empty)

    assert {p.name.lower() for p in raised.value.invalid_params} == {"orderlines"}
