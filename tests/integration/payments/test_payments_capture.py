"""Capture (contract §4.5): partial and repeated, never beyond what is reserved and not released."""

import uuid

import pytest

from tests.harness import (
    InProcessKasse,
    aggregate,
    assert_matches_spec,
    assert_problem,
    authorized,
    new_reference,
    shared_kasse,
)

kasse = shared_kasse("capture")  # every test uses its own random references and keys


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


def test_capturing_more_than_what_is_left_is_refused(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = authorized(demo, 10000)
    demo.modify(ref, "capture", 6000)

    assert_problem(demo.modify(ref, "capture", 4001), 400, "6090")
    assert aggregate(demo.get(ref))["captured"] == 6000
    assert demo.modify(ref, "capture", 4000).status_code == 200


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
