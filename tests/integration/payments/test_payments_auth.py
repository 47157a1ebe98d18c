"""Authentication on every ePayment endpoint (contract §2.3, §4.10.1) and isolation between sales units."""

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest

from tests.harness import (
    ApiSession,
    Credentials,
    InProcessKasse,
    advance_clock,
    assert_problem,
    authorized,
    create_body,
    new_reference,
    shared_kasse,
)


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    keyed: bool = False

    def send(self, session: ApiSession, reference: str, headers: dict[str, str]) -> httpx.Response:
        body = create_body(new_reference()) if self.name == "create" else self.body
        if self.keyed:
            headers = {"Idempotency-Key": uuid.uuid4().hex, **headers}
        r: httpx.Response = session.client.request(
            self.method, self.path.format(ref=reference), json=body, headers=headers
        )
        return r


MODIFICATION = {"modificationAmount": {"currency": "NOK", "value": 1000}}
ENDPOINTS = [
    Endpoint("create", "POST", "/epayment/v1/payments", keyed=True),
    Endpoint("get", "GET", "/epayment/v1/payments/{ref}"),
    Endpoint("events", "GET", "/epayment/v1/payments/{ref}/events"),
    Endpoint("capture", "POST", "/epayment/v1/payments/{ref}/capture", MODIFICATION, keyed=True),
    Endpoint("refund", "POST", "/epayment/v1/payments/{ref}/refund", MODIFICATION, keyed=True),
    Endpoint("cancel", "POST", "/epayment/v1/payments/{ref}/cancel", {}),
    Endpoint("approve", "POST", "/epayment/v1/test/payments/{ref}/approve", {}),
]
ON_A_PAYMENT = [e for e in ENDPOINTS if e.name != "create"]
by_name = pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)


# one kasse for the tests that never move the clock: each works on its own random references
shared = shared_kasse("auth", rate_limits=False)


def _forged(token: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode(claims, "a-key-kasse-never-used-to-sign-anything", algorithm="HS256")


@by_name
@pytest.mark.parametrize(
    "authorization",
    [None, "{token}", "Token {token}", "bearer {token}", "Bearer", "Bearer not-a-jwt", "Bearer {forged}"],
    ids=["missing", "no-prefix", "other-scheme", "lowercase-scheme", "empty", "garbage", "forged"],
)
def test_a_bad_bearer_token_is_unauthorized(
    shared: InProcessKasse, endpoint: Endpoint, authorization: str | None
) -> None:
    demo = shared.demo
    ref = authorized(demo)
    headers = demo.headers()
    del headers["Authorization"]
    if authorization is not None:
        headers["Authorization"] = authorization.format(token=demo.token, forged=_forged(demo.token))

    assert_problem(endpoint.send(demo, ref, headers), 401)


@by_name
def test_a_token_is_refused_once_the_clock_passes_its_hour(kasse: InProcessKasse, endpoint: Endpoint) -> None:
    demo = kasse.demo
    ref = authorized(demo)
    advance_clock(kasse.client, 3601)

    assert_problem(endpoint.send(demo, ref, demo.headers()), 401)


@by_name
def test_a_token_still_works_just_before_its_hour_is_up(kasse: InProcessKasse, endpoint: Endpoint) -> None:
    demo = kasse.demo
    ref = authorized(demo)
    advance_clock(kasse.client, 3590)

    assert endpoint.send(demo, ref, demo.headers()).status_code not in (401, 403)


def test_a_token_issued_after_time_travel_is_accepted(kasse: InProcessKasse) -> None:
    advance_clock(kasse.client, 7200)

    fresh = kasse.session(kasse.demo.creds)

    assert fresh.create(create_body(new_reference())).status_code == 201


@by_name
def test_a_subscription_key_that_is_not_the_tokens_is_forbidden(shared: InProcessKasse, endpoint: Endpoint) -> None:
    demo = shared.demo
    ref = authorized(demo)
    other = demo.new_merchant()

    for key in ("not-a-key", other.subscription_key):
        assert_problem(endpoint.send(demo, ref, demo.headers(**{"Ocp-Apim-Subscription-Key": key})), 403)


@by_name
def test_a_missing_subscription_key_is_unauthorized(shared: InProcessKasse, endpoint: Endpoint) -> None:
    demo = shared.demo
    ref = authorized(demo)
    headers = demo.headers()
    del headers["Ocp-Apim-Subscription-Key"]

    assert_problem(endpoint.send(demo, ref, headers), 401)


@by_name
def test_the_msn_of_another_sales_unit_is_forbidden(shared: InProcessKasse, endpoint: Endpoint) -> None:
    demo = shared.demo
    ref = authorized(demo)
    other = demo.new_merchant()

    assert_problem(endpoint.send(demo, ref, demo.headers(**{"Merchant-Serial-Number": other.msn})), 403)


@by_name
def test_a_missing_msn_is_a_bad_request_naming_it(shared: InProcessKasse, endpoint: Endpoint) -> None:
    demo = shared.demo
    ref = authorized(demo)
    headers = demo.headers()
    del headers["Merchant-Serial-Number"]

    problem = assert_problem(endpoint.send(demo, ref, headers), 400)

    assert [d["name"] for d in problem["extraDetails"]] == ["Merchant-Serial-Number"]


def test_the_secondary_subscription_key_is_as_good_as_the_primary(kasse: InProcessKasse) -> None:
    created = kasse.client.post("/_kasse/merchants", json={}).json()
    creds = Credentials(created["msn"], created["clientId"], created["clientSecret"], created["subscriptionKey"])
    session = kasse.session(creds)
    headers = session.headers(**{"Ocp-Apim-Subscription-Key": created["secondarySubscriptionKey"]})

    r = kasse.client.get(f"/epayment/v1/payments/{new_reference()}", headers=headers)

    assert_problem(r, 404, "5090")


@pytest.mark.parametrize("endpoint", ON_A_PAYMENT, ids=lambda e: e.name)
def test_a_sales_unit_cannot_see_or_touch_another_units_payment(shared: InProcessKasse, endpoint: Endpoint) -> None:
    owner = shared.demo
    ref = authorized(owner, 10000)
    assert owner.modify(ref, "capture", 5000).status_code == 200
    before = owner.get(ref).json()
    intruder = shared.session(owner.new_merchant())

    r = endpoint.send(intruder, ref, intruder.headers())

    assert_problem(r, 404, "5090")
    assert owner.get(ref).json() == before
    assert [e["name"] for e in owner.events(ref).json()] == ["CREATED", "AUTHORIZED", "CAPTURED"]


def test_two_sales_units_may_use_the_same_reference(kasse: InProcessKasse) -> None:
    ref = new_reference()
    other = kasse.session(kasse.demo.new_merchant())

    first = kasse.demo.create(create_body(ref, 10000))
    second = other.create(create_body(ref, 20000))

    assert (first.status_code, second.status_code) == (201, 201)
    assert kasse.demo.get(ref).json()["amount"]["value"] == 10000
    assert other.get(ref).json()["amount"]["value"] == 20000
