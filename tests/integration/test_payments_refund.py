"""Refund (contract §4.6): partial and repeated, never more than was captured and not yet refunded."""

import uuid

import pytest

from tests.harness import (
    ApiSession,
    InProcessKasse,
    aggregate,
    assert_matches_spec,
    assert_problem,
    authorized,
    create_body,
    new_reference,
    shared_kasse,
)

kasse = shared_kasse("refund")  # every test uses its own random references and keys


def _captured(session: ApiSession, value: int = 10000, captured: int = 10000) -> str:
    ref = authorized(session, value)
    assert session.modify(ref, "capture", captured).status_code == 200
    return ref


def test_partial_refunds_add_up_to_what_was_captured(kasse_no_limits: InProcessKasse) -> None:
    demo = kasse_no_limits.demo
    ref = _captured(demo, 10000, 8000)

    refunded = [aggregate(demo.modify(ref, "refund", value))["refunded"] for value in (2000, 2000, 4000)]

    assert refunded == [2000, 4000, 8000]
    assert aggregate(demo.get(ref)) == {"authorized": 10000, "captured": 8000, "cancelled": 0, "refunded": 8000}
    assert demo.get(ref).json()["state"] == "AUTHORIZED"


def test_a_refund_answers_with_the_payment_and_logs_a_refunded_event(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = _captured(demo)
    created_psp = demo.get(ref).json()["pspReference"]

    r = demo.modify(ref, "refund", 1500, key="refund-key-1")

    assert r.status_code == 200
    assert r.json()["pspReference"] == created_psp
    assert r.json()["amount"] == {"currency": "NOK", "value": 10000}
    event = demo.events(ref).json()[-1]
    assert (event["name"], event["amount"], event["idempotencyKey"]) == (
        "REFUNDED", {"currency": "NOK", "value": 1500}, "refund-key-1")
    assert event["pspReference"] != created_psp
    assert_matches_spec(r.json(), "ModificationResponse")


def test_refunding_before_the_customer_approved_is_refused(kasse: InProcessKasse) -> None:
    ref = new_reference()
    kasse.demo.create(create_body(ref, 10000))

    assert_problem(kasse.demo.modify(ref, "refund", 1000), 400, "6020")


def test_refunding_before_anything_was_captured_is_refused(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = authorized(demo, 10000)

    assert_problem(demo.modify(ref, "refund", 1000), 400, "6150")
    assert aggregate(demo.get(ref))["refunded"] == 0


def test_refunding_more_than_was_captured_is_refused(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = _captured(demo, 10000, 6000)

    assert_problem(demo.modify(ref, "refund", 6001), 400, "6150")
    assert aggregate(demo.get(ref))["refunded"] == 0


def test_refunding_more_than_is_left_after_a_partial_refund_is_refused(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = _captured(demo, 10000, 6000)
    demo.modify(ref, "refund", 4000)

    assert_problem(demo.modify(ref, "refund", 2001), 400, "6150")
    assert aggregate(demo.get(ref))["refunded"] == 4000


def test_refunding_a_fully_refunded_payment_is_refused(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = _captured(demo)
    demo.modify(ref, "refund", 10000)

    assert_problem(demo.modify(ref, "refund", 1), 400, "6180")


def test_the_captured_part_of_a_cancelled_payment_can_be_refunded(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = _captured(demo, 10000, 6000)
    demo.cancel(ref)

    r = demo.modify(ref, "refund", 6000)

    assert aggregate(r) == {"authorized": 10000, "captured": 6000, "cancelled": 4000, "refunded": 6000}


@pytest.mark.parametrize(("currency", "value"), [("EUR", 1000), ("NOK", 0)])
def test_a_refund_must_be_positive_and_in_the_payments_currency(
    kasse: InProcessKasse, currency: str, value: int
) -> None:
    demo = kasse.demo
    ref = _captured(demo)

    assert_problem(demo.modify(ref, "refund", value, currency=currency), 400, "4040")


def test_refunding_a_terminated_payment_is_refused(kasse: InProcessKasse) -> None:
    ref = new_reference()
    kasse.demo.create(create_body(ref))
    kasse.demo.cancel(ref)

    assert_problem(kasse.demo.modify(ref, "refund", 1000), 400, "6210")


def test_refunding_an_unknown_reference_is_not_found(kasse: InProcessKasse) -> None:
    assert_problem(kasse.demo.modify(new_reference(), "refund", 1000), 404, "5090")


def test_a_refund_without_an_amount_is_a_bad_request(kasse: InProcessKasse) -> None:
    ref = _captured(kasse.demo)

    r = kasse.client.post(f"/epayment/v1/payments/{ref}/refund", json={}, headers=kasse.demo.headers(uuid.uuid4().hex))

    assert [d["name"] for d in assert_problem(r, 400)["extraDetails"]] == ["modificationAmount"]
