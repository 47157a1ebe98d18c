"""Access Token API (contract §2.1): credentials in headers, any body ignored, every field a string."""

from typing import Any

import pytest

from tests.harness import DEMO_CREDENTIALS, InProcessKasse, assert_problem, shared_kasse

kasse = shared_kasse("accesstoken")  # nothing here moves the clock or changes a payment

TOKEN_FIELDS = {"token_type", "expires_in", "ext_expires_in", "expires_on", "not_before", "resource", "access_token"}


def _token(kasse: InProcessKasse, headers: dict[str, str], **request: Any) -> Any:
    return kasse.client.post("/accesstoken/get", headers=headers, **request)


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        (None, b""),
        ("application/json", b""),
        ("application/json", b"{}"),
        ("application/x-www-form-urlencoded", b""),
        ("text/plain", b"ignored"),
    ],
)
def test_a_token_is_issued_for_header_credentials_whatever_the_body(
    kasse: InProcessKasse, content_type: str | None, content: bytes
) -> None:
    headers = DEMO_CREDENTIALS.token_headers()
    if content_type:
        headers["Content-Type"] = content_type

    r = _token(kasse, headers, content=content)

    assert r.status_code == 200, r.text
    assert r.headers["content-type"].replace(" ", "").lower() == "application/json;charset=utf-8"
    assert set(r.json()) == TOKEN_FIELDS


def test_every_token_field_is_a_string_and_the_lifetime_is_one_hour(kasse: InProcessKasse) -> None:
    body = _token(kasse, DEMO_CREDENTIALS.token_headers()).json()

    assert all(isinstance(value, str) for value in body.values()), body
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == "3600"
    assert int(body["expires_on"]) - int(body["not_before"]) == 3600
    assert body["access_token"].count(".") == 2


def test_the_issued_token_opens_the_epayment_api(kasse: InProcessKasse) -> None:
    token = _token(kasse, DEMO_CREDENTIALS.token_headers()).json()["access_token"]

    r = kasse.client.get(
        "/epayment/v1/payments/no-such-payment-1",
        headers={"Authorization": f"Bearer {token}", "Ocp-Apim-Subscription-Key": DEMO_CREDENTIALS.subscription_key,
                 "Merchant-Serial-Number": DEMO_CREDENTIALS.msn},
    )

    assert r.status_code == 404


def test_the_merchant_serial_number_header_is_optional(kasse: InProcessKasse) -> None:
    headers = DEMO_CREDENTIALS.token_headers()
    del headers["Merchant-Serial-Number"]

    assert _token(kasse, headers).status_code == 200


def test_the_secondary_subscription_key_works_like_the_primary(kasse: InProcessKasse) -> None:
    created = kasse.client.post("/_kasse/merchants", json={}).json()
    headers = {"client_id": created["clientId"], "client_secret": created["clientSecret"],
               "Ocp-Apim-Subscription-Key": created["secondarySubscriptionKey"]}

    assert _token(kasse, headers).status_code == 200


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("client_secret", "not-the-secret"),
        ("client_id", "not-a-client"),
        ("Ocp-Apim-Subscription-Key", "not-a-key"),
    ],
)
def test_wrong_credentials_are_unauthorized(kasse: InProcessKasse, header: str, value: str) -> None:
    headers = {**DEMO_CREDENTIALS.token_headers(), header: value}

    assert_problem(_token(kasse, headers), 401)


def test_another_sales_units_subscription_key_is_unauthorized(kasse: InProcessKasse) -> None:
    other = kasse.demo.new_merchant()
    headers = {**DEMO_CREDENTIALS.token_headers(), "Ocp-Apim-Subscription-Key": other.subscription_key}

    assert_problem(_token(kasse, headers), 401)


def test_the_msn_of_another_sales_unit_is_forbidden(kasse: InProcessKasse) -> None:
    other = kasse.demo.new_merchant()
    headers = {**DEMO_CREDENTIALS.token_headers(), "Merchant-Serial-Number": other.msn}

    assert_problem(_token(kasse, headers), 403)


@pytest.mark.parametrize("missing", ["client_id", "client_secret", "Ocp-Apim-Subscription-Key"])
def test_a_missing_credential_header_is_a_bad_request_naming_it(kasse: InProcessKasse, missing: str) -> None:
    headers = DEMO_CREDENTIALS.token_headers()
    del headers[missing]

    problem = assert_problem(_token(kasse, headers), 400)

    assert [d["name"] for d in problem["extraDetails"]] == [missing]


def test_no_headers_at_all_names_every_missing_credential(kasse: InProcessKasse) -> None:
    problem = assert_problem(_token(kasse, {}), 400)

    assert {d["name"] for d in problem["extraDetails"]} == {"client_id", "client_secret", "Ocp-Apim-Subscription-Key"}
