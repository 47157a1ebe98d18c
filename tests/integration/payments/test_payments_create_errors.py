"""Refused creates (contract §4.2, §4.10): 400 problems naming every bad field, and each create rule's ErrorCode."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.harness import (
    DEMO_PHONE,
    InProcessKasse,
    assert_matches_spec,
    assert_problem,
    bad_fields,
    create_body,
    new_reference,
    receipt,
    shared_kasse,
)

kasse = shared_kasse("create-errors")  # every test uses its own random references and keys


def _body(**changes: Any) -> dict[str, Any]:
    return {**create_body(new_reference()), **changes}


def _in(minutes: float) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def assert_problem_400(kasse: InProcessKasse, body: Any) -> Any:
    r = kasse.demo.create(body)
    assert_problem(r, 400)
    return r


def test_every_bad_field_is_named_once_in_one_problem(kasse: InProcessKasse) -> None:
    body = {
        "amount": {"currency": "SEK", "value": -1},
        "paymentMethod": {"type": "CASH"},
        "reference": "short",
        "userFlow": "CARRIER_PIGEON",
        "customerInteraction": "SOMETIMES",
        "paymentDescription": "x",
    }

    r = kasse.demo.create(body)

    problem = assert_problem(r, 400)
    names = [d["name"] for d in problem["extraDetails"]]
    assert sorted(names) == sorted({"amount.currency", "amount.value", "paymentMethod.type", "reference", "userFlow",
                                    "customerInteraction", "paymentDescription"})
    assert all(d["reason"] for d in problem["extraDetails"])
    assert problem["instance"] == "/epayment/v1/payments"  # the real path (issue #12.10)
    assert_matches_spec(problem, "Problem")


def test_every_missing_required_field_is_named(kasse: InProcessKasse) -> None:
    assert bad_fields(assert_problem_400(kasse, {})) == {"amount", "paymentMethod", "reference", "userFlow"}


@pytest.mark.parametrize("value", ["6000", 1.5, 6000.0, True, None, 65_000_001, -100],
                         ids=["string", "fraction", "float", "bool", "null", "above-max", "negative"])
def test_an_amount_value_must_be_a_plain_integer_in_range(kasse: InProcessKasse, value: Any) -> None:
    r = assert_problem_400(kasse, _body(amount={"currency": "NOK", "value": value}))

    assert bad_fields(r) == {"amount.value"}


@pytest.mark.parametrize("reference", ["short-7", "x" * 65, "has_underscore", "has space x", "æøå-reference"])
def test_a_reference_must_match_the_pattern(kasse: InProcessKasse, reference: str) -> None:
    assert bad_fields(assert_problem_400(kasse, _body(reference=reference))) == {"reference"}


@pytest.mark.parametrize("content", [b"", b"not json", b"[]", b'"a string"', b"{"])
def test_a_body_that_is_not_a_json_object_is_a_bad_request(kasse: InProcessKasse, content: bytes) -> None:
    r = kasse.client.post("/epayment/v1/payments", content=content,
                          headers={**kasse.demo.headers(uuid.uuid4().hex), "Content-Type": "application/json"})

    assert_problem(r, 400)


@pytest.mark.parametrize("customer", [{"phoneNumber": DEMO_PHONE, "personalQr": "https://qr.example/abc"}, {}],
                         ids=["two", "none"])
def test_a_customer_names_exactly_one_way_to_reach_them(kasse: InProcessKasse, customer: dict[str, str]) -> None:
    r = assert_problem_400(kasse, _body(userFlow="PUSH_MESSAGE", customer=customer))

    assert bad_fields(r) == {"customer"}


@pytest.mark.parametrize("phone", ["12345678", "+4712345678", "47 12345678", "4" * 16])
def test_a_phone_number_must_be_9_to_15_digits(kasse: InProcessKasse, phone: str) -> None:
    r = assert_problem_400(kasse, _body(userFlow="PUSH_MESSAGE", customer={"phoneNumber": phone}))

    assert bad_fields(r) == {"customer.phoneNumber"}


@pytest.mark.parametrize("flow", ["PUSH_MESSAGE", "WEB_REDIRECT", "NATIVE_REDIRECT"])
def test_a_qr_format_is_refused_outside_the_qr_flow(kasse: InProcessKasse, flow: str) -> None:
    body = _body(userFlow=flow, qrFormat={"format": "IMAGE/PNG"}, customer={"phoneNumber": DEMO_PHONE},
                 returnUrl="https://shop.example/back")

    assert bad_fields(assert_problem_400(kasse, body)) == {"qrFormat"}


@pytest.mark.parametrize("qr_format", [{"format": "IMAGE/GIF"}, {"format": "IMAGE/PNG", "size": 99},
                                       {"format": "IMAGE/PNG", "size": 2001}])
def test_a_qr_format_must_be_known_and_sized_100_to_2000(kasse: InProcessKasse, qr_format: dict[str, Any]) -> None:
    r = assert_problem_400(kasse, _body(qrFormat=qr_format))

    assert {name.split(".")[0] for name in bad_fields(r)} == {"qrFormat"}


@pytest.mark.parametrize("expires_at", ["tomorrow", "2030-01-01T10:00:00", "2030-02-31T10:00:00Z"])
def test_expires_at_must_be_a_real_rfc3339_moment(kasse: InProcessKasse, expires_at: str) -> None:
    r = assert_problem_400(kasse, _body(expiresAt=expires_at, receipt=receipt()))

    assert bad_fields(r) == {"expiresAt"}


def test_a_receipt_without_order_lines_is_a_bad_request(kasse: InProcessKasse) -> None:
    r = assert_problem_400(kasse, _body(receipt={"orderLines": [], "bottomLine": {"currency": "NOK"}}))

    assert bad_fields(r) == {"receipt.orderLines"}


# the create rules of contract §4.2 reach the wire with their ErrorCode, one case per field they read
# (every rule and its edges: tests/unit/services/test_create_rules.py; statuses: tests/unit/api/test_problems.py)
RULES: list[tuple[str, dict[str, Any], int, str]] = [
    ("below-nok-minimum", {"amount": {"currency": "NOK", "value": 99}}, 400, "6010"),
    ("currency-of-another-market", {"amount": {"currency": "DKK", "value": 10000}}, 400, "5040"),
    ("push-without-customer", {"userFlow": "PUSH_MESSAGE"}, 400, "4140"),
    ("six-metadata-entries", {"metadata": {str(i): "v" for i in range(6)}}, 400, "4100"),
    ("http-return-url", {"returnUrl": "http://shop.example/back"}, 400, "4090"),
    ("http-receipt-url", {"receiptUrl": "http://shop.example/r"}, 400, "4090"),
    ("expires-in-5-minutes", {"expiresAt": _in(5), "receipt": receipt()}, 400, "6120"),
    ("expires-without-receipt", {"expiresAt": _in(60)}, 400, "6130"),
    ("unknown-scope", {"profile": {"scope": "name shoeSize"}}, 400, "4080"),
]


@pytest.mark.parametrize(("change", "status", "code"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_each_create_rule_refuses_with_its_error_code(
    kasse: InProcessKasse, change: dict[str, Any], status: int, code: str
) -> None:
    body = _body(**change)

    r = kasse.demo.create(body)

    problem = assert_problem(r, status, code)
    assert kasse.demo.get(body["reference"]).status_code == 404
    assert_matches_spec(problem, "Problem")


def test_a_web_redirect_with_a_return_url_is_created(kasse: InProcessKasse) -> None:
    url = "http://127.0.0.1:8080/back"  # loopback http; the other allowed kinds: test_create_rules.py

    assert kasse.demo.create(_body(userFlow="WEB_REDIRECT", returnUrl=url)).status_code == 201


def test_a_unit_not_approved_for_push_is_refused_push_payments(kasse: InProcessKasse) -> None:
    unit = kasse.session(kasse.demo.new_merchant(pushAllowed=False))
    body = _body(userFlow="PUSH_MESSAGE", customer={"phoneNumber": DEMO_PHONE})

    assert_problem(unit.create(body), 403, "5080")
    assert unit.create(_body(userFlow="QR")).status_code == 201


def test_a_reused_reference_is_a_conflict_and_leaves_the_first_payment_alone(kasse: InProcessKasse) -> None:
    first = _body()
    assert kasse.demo.create(first).status_code == 201

    again = kasse.demo.create({**first, "amount": {"currency": "NOK", "value": 50000}})

    assert_problem(again, 409, "4150")
    assert kasse.demo.get(first["reference"]).json()["amount"]["value"] == 10000
    assert len(kasse.demo.events(first["reference"]).json()) == 1
