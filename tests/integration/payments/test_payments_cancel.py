"""Cancel (contract §4.7): terminate an unanswered payment, or release the uncaptured rest of a reservation."""

from typing import Any

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

kasse = shared_kasse("cancel")  # every test uses its own random references and keys


def _created(kasse: InProcessKasse, value: int = 10000) -> str:
    ref = new_reference()
    assert kasse.demo.create(create_body(ref, value)).status_code == 201
    return ref


def test_cancelling_an_unanswered_payment_terminates_it_and_releases_it_all(kasse: InProcessKasse) -> None:
    ref = _created(kasse, 10000)

    r = kasse.demo.cancel(ref)

    assert r.status_code == 200
    assert r.json()["state"] == "TERMINATED"
    assert aggregate(r) == {"authorized": 0, "cancelled": 10000, "captured": 0, "refunded": 0}
    event = kasse.demo.events(ref).json()[-1]
    assert (event["name"], event["amount"]["value"]) == ("TERMINATED", 10000)
    assert kasse.demo.get(ref).json()["state"] == "TERMINATED"
    assert_matches_spec(r.json(), "ModificationResponse")


def test_cancel_transaction_only_leaves_a_reservation_alone(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    ref = authorized(demo, 10000)
    before = demo.get(ref).json()

    r = demo.cancel(ref, {"cancelTransactionOnly": True})

    assert_problem(r, 400, "6060")
    assert demo.get(ref).json() == before
    assert [e["name"] for e in demo.events(ref).json()] == ["CREATED", "AUTHORIZED"]


@pytest.mark.parametrize(
    "request_body",
    [{}, {"content": b"", "headers": {"Content-Type": "application/json"}}, {"json": {}},
     {"json": {"cancelTransactionOnly": False}}, {"json": {"cancelTransactionOnly": None}}],
    ids=["no-body", "empty-json", "empty-object", "false", "null"],
)
def test_cancel_takes_no_body_an_empty_body_or_an_object(kasse: InProcessKasse, request_body: dict[str, Any]) -> None:
    ref = authorized(kasse.demo, 10000)
    options = dict(request_body)
    headers = {**kasse.demo.headers(), **options.pop("headers", {})}

    r = kasse.client.post(f"/epayment/v1/payments/{ref}/cancel", headers=headers, **options)

    assert r.status_code == 200, r.text
    assert aggregate(r)["cancelled"] == 10000


@pytest.mark.parametrize("body", [{"cancelTransactionOnly": "yes"}, {"cancelTransactionOnly": 1}])
def test_a_malformed_cancel_body_is_a_bad_request_naming_the_field(kasse: InProcessKasse, body: dict[str, Any]) -> None:
    ref = authorized(kasse.demo, 10000)

    problem = assert_problem(kasse.demo.cancel(ref, body), 400)

    assert [d["name"] for d in problem["extraDetails"]] == ["cancelTransactionOnly"]
    assert aggregate(kasse.demo.get(ref))["cancelled"] == 0


def test_cancelling_an_unknown_reference_is_not_found(kasse: InProcessKasse) -> None:
    assert_problem(kasse.demo.cancel(new_reference()), 404, "5090")
