"""Capture (contract §4.5): partial and repeated, never beyond what is reserved and not released."""

import uuid

import pytest

from tests.harness import (
    InProcessKasse,
    aggregate,
    assert_matches_spec,
    assert_problem,
    authorized,
    create_body,
    new_reference,
    shared_kasse,
)

kasse = shared_kasse("capture")  # every test uses its own random references and keys


def test_partial_captures_add_up_until_the_reservation_is_taken(kasse_no_limits: InProcessKasse) -> None:
    demo = kasse_no_limits.demo
    ref = authorized(demo, 10000)

    captured = [aggregate(demo.modify(ref, "capture", value))["captured"] for value in (3000, 3000, 4000)]

    assert captured == [3000, 6000, 10000]
    assert aggregate(demo.get(ref)) == {"authorized": 10000, "captured": 10000, "cancelled": 0, "refunded": 0}
    assert demo.get(ref).json()["state"] == "AUTHORIZED"


def test_a_capture_answers_with_the_payment_not_the_capture(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = authorized(demo, 10000)
    created_psp = demo.get(ref).json()["pspReference"]

    r = demo.modify(ref, "capture", 2500)

    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["amount"] == {"currency": "NOK", "value": 10000}
    assert body["state"] == "AUTHORIZED"
    assert body["reference"] == ref
    assert body["pspReference"] == created_psp
    assert body["aggregate"]["capturedAmount"] == {"currency": "NOK", "value": 2500}
    assert_matches_spec(body, "ModificationResponse")


def test_a_capture_appends_a_captured_event_with_its_amount_and_key(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = authorized(demo, 10000)

    demo.modify(ref, "capture", 2500, key="capture-key-1")

    event = demo.events(ref).json()[-1]
    assert (event["name"], event["amount"], event["idempotencyKey"], event["success"]) == (
        "CAPTURED", {"currency": "NOK", "value": 2500}, "capture-key-1", True)


@pytest.mark.parametrize("value", [10001, 65_000_000])
def test_capturing_more_than_reserved_is_refused(kasse: InProcessKasse, value: int) -> None:
    demo = kasse.demo
    ref = authorized(demo, 10000)

    assert_problem(demo.modify(ref, "capture", value), 400, "6090")
    assert aggregate(demo.get(ref))["captured"] == 0


def test_capturing_more_than_what_is_left_is_refused(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = authorized(demo, 10000)
    demo.modify(ref, "capture", 6000)

    assert_problem(demo.modify(ref, "capture", 4001), 400, "6090")
    assert aggregate(demo.get(ref))["captured"] == 6000
    assert demo.modify(ref, "capture", 4000).status_code == 200


def test_capturing_before_the_customer_approved_is_refused(kasse: InProcessKasse) -> None:
    ref = new_reference()
    kasse.demo.create(create_body(ref, 10000))

    assert_problem(kasse.demo.modify(ref, "capture", 10000), 400, "6080")
    assert [e["name"] for e in kasse.demo.events(ref).json()] == ["CREATED"]


def test_capturing_a_fully_captured_payment_is_refused(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = authorized(demo, 10000)
    demo.modify(ref, "capture", 10000)

    assert_problem(demo.modify(ref, "capture", 1), 400, "6170")


@pytest.mark.parametrize("captured_first", [0, 4000])
def test_capturing_after_a_cancel_is_refused(kasse: InProcessKasse, captured_first: int) -> None:
    demo = kasse.demo
    ref = authorized(demo, 10000)
    if captured_first:
        demo.modify(ref, "capture", captured_first)
    assert demo.cancel(ref).status_code == 200

    assert_problem(demo.modify(ref, "capture", 1000), 400, "6070")
    assert aggregate(demo.get(ref))["captured"] == captured_first


def test_capturing_a_terminated_payment_is_refused(kasse: InProcessKasse) -> None:
    ref = new_reference()
    kasse.demo.create(create_body(ref, 10000))
    kasse.demo.cancel(ref)

    assert_problem(kasse.demo.modify(ref, "capture", 1000), 400, "6200")


@pytest.mark.parametrize(("currency", "value"), [("DKK", 1000), ("NOK", 0)])
def test_a_capture_must_be_positive_and_in_the_payments_currency(
    kasse: InProcessKasse, currency: str, value: int
) -> None:
    demo = kasse.demo
    ref = authorized(demo, 10000)

    assert_problem(demo.modify(ref, "capture", value, currency=currency), 400, "4040")
    assert aggregate(demo.get(ref))["captured"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "modificationAmount"), ({"modificationAmount": {"currency": "NOK", "value": "1000"}},
                                  "modificationAmount.value"),
     ({"modificationAmount": {"currency": "NOK", "value": 10.5}}, "modificationAmount.value"),
     ({"modificationAmount": {"value": 1000}}, "modificationAmount.currency")],
    ids=["missing", "string", "fraction", "no-currency"],
)
def test_a_malformed_capture_is_a_bad_request_naming_the_field(
    kasse: InProcessKasse, body: dict[str, object], field: str
) -> None:
    demo = kasse.demo
    ref = authorized(demo, 10000)

    r = kasse.client.post(f"/epayment/v1/payments/{ref}/capture", json=body, headers=demo.headers(uuid.uuid4().hex))

    problem = assert_problem(r, 400)
    assert [d["name"] for d in problem["extraDetails"]] == [field]


def test_capturing_an_unknown_reference_is_not_found(kasse: InProcessKasse) -> None:
    assert_problem(kasse.demo.modify(new_reference(), "capture", 1000), 404, "5090")


def test_a_unit_that_must_capture_in_full_refuses_a_partial_capture(kasse: InProcessKasse) -> None:
    unit = kasse.session(kasse.demo.new_merchant(partialCaptureAllowed=False))
    ref = authorized(unit, 10000)

    assert_problem(unit.modify(ref, "capture", 5000), 400, "6140")
    assert aggregate(unit.modify(ref, "capture", 10000)) == {"authorized": 10000, "captured": 10000, "cancelled": 0,
                                                             "refunded": 0}
