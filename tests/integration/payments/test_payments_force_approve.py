"""Force approve (contract §4.8): the test environment's stand-in for the customer's approval."""

from pathlib import Path
from typing import Any

import pytest

from tests.harness import (
    DEMO_PHONE,
    InProcessKasse,
    aggregate,
    assert_problem,
    create_body,
    in_process,
    new_reference,
    shared_kasse,
    token_of,
)

kasse = shared_kasse("force-approve")  # every test uses its own random references and keys


def _created(kasse: InProcessKasse, value: int = 10000) -> tuple[str, str]:
    ref = new_reference()
    r = kasse.demo.create(create_body(ref, value), key=f"key-{ref}")
    assert r.status_code == 201
    return ref, r.json()["redirectUrl"]


def _approve(kasse: InProcessKasse, ref: str, body: dict[str, Any]) -> Any:
    return kasse.client.post(f"/epayment/v1/test/payments/{ref}/approve", json=body, headers=kasse.demo.headers())


def test_force_approve_reserves_the_amount(kasse: InProcessKasse) -> None:
    ref, _ = _created(kasse)

    r = kasse.demo.approve(ref)

    assert r.status_code == 200
    assert r.content == b""
    got = kasse.demo.get(ref)
    assert got.json()["state"] == "AUTHORIZED"
    assert aggregate(got) == {"authorized": 10000, "captured": 0, "cancelled": 0, "refunded": 0}
    event = kasse.demo.events(ref).json()[-1]
    assert (event["name"], event["amount"]["value"], event["idempotencyKey"]) == ("AUTHORIZED", 10000, f"key-{ref}")


@pytest.mark.parametrize("body", [{"customer": {"phoneNumber": DEMO_PHONE}}, {"token": "{token}"}],
                         ids=["customer", "token"])
def test_force_approve_takes_a_customer_or_the_redirect_token(kasse: InProcessKasse, body: dict[str, Any]) -> None:
    ref, url = _created(kasse)
    if "token" in body:
        body = {"token": token_of(url)}

    assert _approve(kasse, ref, body).status_code == 200
    assert kasse.demo.get(ref).json()["state"] == "AUTHORIZED"


def test_approving_an_unknown_reference_is_not_found(kasse: InProcessKasse) -> None:
    assert_problem(kasse.demo.approve(new_reference()), 404, "5090")


def test_a_malformed_approve_body_is_a_bad_request(kasse: InProcessKasse) -> None:
    ref, _ = _created(kasse)

    assert_problem(_approve(kasse, ref, {"customer": {"phoneNumber": "not-a-number"}}), 400)
    assert kasse.demo.get(ref).json()["state"] == "CREATED"


def test_force_approve_is_not_available_in_production_mode(tmp_path: Path) -> None:
    for production in in_process(tmp_path, production=True):
        ref = new_reference()
        assert production.demo.create(create_body(ref)).status_code == 201

        assert_problem(production.demo.approve(ref), 403)
        assert production.demo.get(ref).json()["state"] == "CREATED"
