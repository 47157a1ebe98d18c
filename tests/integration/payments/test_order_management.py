"""Order Management API v2 (contract §7): receipts (immutable) and category links, against the spec."""

from typing import Any

import httpx
import pytest

from tests.harness import InProcessKasse, create_body, new_reference, receipt
from tests.integration.wallet_support import KARI, assert_om_schema, pushed

BASE = "/order-management/v2/ECOM"


def post_receipt(kasse: InProcessKasse, order_id: str, body: Any, payment_type: str = "ECOM") -> httpx.Response:
    return kasse.client.post(f"/order-management/v2/{payment_type}/receipts/{order_id}", json=body,
                             headers=kasse.demo.headers())


def put_category(kasse: InProcessKasse, order_id: str, body: Any) -> httpx.Response:
    return kasse.client.put(f"{BASE}/categories/{order_id}", json=body, headers=kasse.demo.headers())


def get_order(kasse: InProcessKasse, order_id: str, payment_type: str = "ECOM") -> httpx.Response:
    return kasse.client.get(f"/order-management/v2/{payment_type}/{order_id}", headers=kasse.demo.headers())


def assert_om_problem(response: httpx.Response, status: int, *fields: str) -> None:
    assert response.status_code == status, response.text
    assert_om_schema(response.json(), "ErrorResponse")
    assert [p["name"] for p in response.json()["invalidParams"]] == list(fields)


def test_a_receipt_is_created_once_and_read_back(kasse: InProcessKasse) -> None:
    order = new_reference()

    created = post_receipt(kasse, order, receipt(2500))
    again = post_receipt(kasse, order, receipt(2500))

    assert created.status_code == 201
    assert isinstance(created.json(), str)
    assert_om_problem(again, 409)
    body = get_order(kasse, order).json()
    assert_om_schema(body, "OrderV2Response")
    assert body == {"receipt": receipt(2500)}


def test_data_may_arrive_before_the_payment_exists(kasse: InProcessKasse) -> None:
    order = new_reference()
    post_receipt(kasse, order, receipt(49900))

    kasse.demo.create(create_body(order, 49900))

    assert get_order(kasse, order).json()["receipt"] == receipt(49900)


def test_the_receipt_of_the_create_request_is_the_orders_receipt(kasse: InProcessKasse) -> None:
    order = new_reference()
    kasse.demo.create(create_body(order, 10000, receipt=receipt(10000)))

    got = get_order(kasse, order)
    posted = post_receipt(kasse, order, receipt(10000))

    assert got.json() == {"receipt": receipt(10000)}
    assert_om_problem(posted, 409)


def nullable_fields_left_null(value: int) -> dict[str, Any]:
    """A receipt whose required fields the spec lets be null (UnitInfo.unitPrice, Barcode.data) are null."""
    body = receipt(value)
    body["orderLines"][0]["unitInfo"] = {"unitPrice": None, "quantity": "2", "quantityUnit": "PCS"}
    body["bottomLine"]["barcode"] = {"format": "EAN-13", "data": None}
    return body


@pytest.mark.parametrize("attach", ["receipt", "create"])
def test_a_required_field_sent_as_null_is_read_back_as_null(kasse: InProcessKasse, attach: str) -> None:
    order = new_reference()
    if attach == "receipt":
        assert post_receipt(kasse, order, nullable_fields_left_null(2500)).status_code == 201
    else:
        assert kasse.demo.create(create_body(order, 2500, receipt=nullable_fields_left_null(2500))).status_code == 201

    body = get_order(kasse, order).json()

    assert_om_schema(body, "OrderV2Response")  # required keys stay, with their null
    assert body["receipt"]["orderLines"][0]["unitInfo"]["unitPrice"] is None
    assert body["receipt"]["bottomLine"]["barcode"] == {"format": "EAN-13", "data": None}


def test_the_category_is_upserted_and_shown_with_the_receipt(kasse: InProcessKasse) -> None:
    order = new_reference()
    first = put_category(kasse, order, {"category": "GENERAL", "orderDetailsUrl": "https://shop.example/o/1"})
    second = put_category(kasse, order, {"category": "TICKET", "orderDetailsUrl": "https://shop.example/t/1",
                                         "imageId": "ticket-1"})
    post_receipt(kasse, order, receipt())

    body = get_order(kasse, order).json()

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert_om_schema(body, "OrderV2Response")
    assert body["category"] == {"category": "TICKET", "orderDetailsUrl": "https://shop.example/t/1",
                                "imageId": "ticket-1"}


def test_orders_are_per_sales_unit_and_payment_type(kasse: InProcessKasse) -> None:
    order = new_reference()
    post_receipt(kasse, order, receipt())
    other = kasse.session(kasse.demo.new_merchant())

    assert_om_problem(get_order(kasse, order, "RECURRING"), 404)
    assert kasse.client.get(f"{BASE}/{order}", headers=other.headers()).status_code == 404


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"bottomLine": {"currency": "NOK"}}, ["OrderLines"]),
        ({"orderLines": [], "bottomLine": {"currency": "NOK"}}, ["OrderLines"]),
        ({**receipt(), "bottomLine": {"currency": "SEK"}}, ["BottomLine.Currency"]),
    ],
)
def test_a_bad_receipt_is_400_with_invalid_params(kasse: InProcessKasse, body: Any, fields: list[str]) -> None:
    assert_om_problem(post_receipt(kasse, new_reference(), body), 400, *fields)


def test_a_bad_order_id_or_payment_type_is_400(kasse: InProcessKasse) -> None:
    assert_om_problem(post_receipt(kasse, "has space", receipt()), 400, "orderId")
    assert_om_problem(post_receipt(kasse, "o-1", receipt(), "ecom"), 400, "paymentType")


def test_a_bad_category_is_400(kasse: InProcessKasse) -> None:
    response = put_category(kasse, "o-1", {"category": "SHOES", "orderDetailsUrl": ""})

    assert_om_problem(response, 400, "Category", "OrderDetailsUrl")


@pytest.mark.parametrize("url", ["0", "/orders/o-1", "example.com/orders/o-1", "https://exa mple.com/o"])
def test_an_order_details_url_that_is_no_uri_is_400(kasse: InProcessKasse, url: str) -> None:
    response = put_category(kasse, "o-1", {"category": "GENERAL", "orderDetailsUrl": url})

    assert_om_problem(response, 400, "OrderDetailsUrl")


@pytest.mark.parametrize("url", ["https://example.com/orders/o-1", "http://127.0.0.1:3000/o?id=1", "myshop://o/1"])
def test_an_absolute_order_details_url_is_taken(kasse: InProcessKasse, url: str) -> None:
    assert put_category(kasse, "o-1", {"category": "GENERAL", "orderDetailsUrl": url}).status_code == 200


def test_the_msn_header_is_required(kasse: InProcessKasse) -> None:
    headers = {k: v for k, v in kasse.demo.headers().items() if k != "Merchant-Serial-Number"}

    assert kasse.client.get(f"{BASE}/o-1", headers=headers).status_code == 400


def test_a_receipt_attached_later_shows_in_the_wallet(kasse: InProcessKasse) -> None:
    reference = pushed(kasse.demo)
    post_receipt(kasse, reference, {"orderLines": [{"name": "Blueberry muffin", "id": "m1", "totalAmount": 49900,
                                                    "totalAmountExcludingTax": 39920, "totalTaxAmount": 9980,
                                                    "taxRate": 2500}], "bottomLine": {"currency": "NOK"}})
    kasse.client.cookies.set("kasse_wallet_user", KARI)

    page = kasse.client.get(f"/wallet/pay/123456/{reference}")

    assert "Blueberry muffin" in page.text
