"""Refund (contract §4.6): partial and repeated, never more than was captured and not yet refunded."""

import uuid

from tests.harness import (
    ApiSession,
    InProcessKasse,
    aggregate,
    assert_matches_spec,
    assert_problem,
    authorized,
    new_reference,
    shared_kasse,
)

kasse = shared_kasse("refund")  # every test uses its own random references and keys


def _captured(session: ApiSession, value: int = 10000, captured: int = 10000) -> str:
    ref = authorized(session, value)
    assert session.modify(ref, "capture", captured).status_code == 200
    return ref


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


def test_refunding_more_than_was_captured_is_refused(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = _captured(demo, 10000, 6000)

    assert_problem(demo.modify(ref, "refund", 6001), 400, "6150")
    assert aggregate(demo.get(ref))["refunded"] == 0


def test_refunding_an_unknown_reference_is_not_found(kasse: InProcessKasse) -> None:
    assert_problem(kasse.demo.modify(new_reference(), "refund", 1000), 404, "5090")


def test_a_refund_without_an_amount_is_a_bad_request(kasse: InProcessKasse) -> None:
    ref = _captured(kasse.demo)

    r = kasse.client.post(f"/epayment/v1/payments/{ref}/refund", json={}, headers=kasse.demo.headers(uuid.uuid4().hex))

    assert [d["name"] for d in assert_problem(r, 400)["extraDetails"]] == ["modificationAmount"]
