"""Who may read which ledger (Report API contract §1.1, §1.6, §4 no. 2–6): tokens, partners, grants, errors."""

from __future__ import annotations

import pytest

from tests.harness import InProcessKasse
from tests.integration.report_support import (
    ReportReader,
    assert_spec_shape,
    header_max_length,
    merchant_reader,
    new_partner,
    partner_token,
)

PATHS = ["/settlement/v1/ledgers", "/report/v2/ledgers/{id}/funds/dates/2026-01-01",
         "/report/v2/ledgers/{id}/fees/feed"]


def partner_reader(kasse: InProcessKasse, *, grant_msn: str | None = "123456") -> tuple[str, ReportReader]:
    partner_id, client_id, secret = new_partner(kasse)
    if grant_msn is not None:
        r = kasse.client.post(f"/_kasse/partners/{partner_id}/grants", json={"msn": grant_msn})
        assert r.status_code == 201, r.text
    token = partner_token(kasse.client, client_id, secret)
    assert token.status_code == 200, token.text
    body = token.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == "900"
    return partner_id, ReportReader(kasse.client, {"Authorization": f"Bearer {body['access_token']}"})


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic abc"])
def test_a_missing_or_invalid_token_is_401_with_the_specs_body(kasse: InProcessKasse, path: str,
                                                               authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    ledger_id = merchant_reader(kasse).ledger_id()

    r = kasse.client.get(path.format(id=ledger_id), headers=headers)

    assert r.status_code == 401
    assert r.json()["code"] == "Unauthorized" and r.json()["message"]
    assert_spec_shape(r.json(), "401")


def test_merchant_keys_need_their_subscription_key(kasse: InProcessKasse) -> None:
    reader = merchant_reader(kasse)
    without = {"Authorization": reader.headers["Authorization"]}
    other_key = {**without, "Ocp-Apim-Subscription-Key": "not-the-key"}

    missing = kasse.client.get("/settlement/v1/ledgers", headers=without)
    wrong = kasse.client.get("/settlement/v1/ledgers", headers=other_key)

    assert missing.status_code == wrong.status_code == 401
    assert "is required" in missing.json()["message"]
    # a key was sent: the answer says it is the wrong one, not that one is missing
    assert "is required" not in wrong.json()["message"]
    assert "not the token's sales unit's" in wrong.json()["message"]


def test_a_ledger_of_another_sales_unit_is_404_exactly_like_an_unknown_one(kasse: InProcessKasse) -> None:
    other = kasse.demo.new_merchant()
    theirs = merchant_reader(kasse, other).ledger_id()
    mine = merchant_reader(kasse)

    foreign = mine.feed(theirs, "funds")
    unknown = mine.feed("999999", "funds")

    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["detail"] == unknown.json()["detail"] == "No such ledgerId"


def test_a_partner_sees_only_the_ledgers_granted_to_it(kasse: InProcessKasse) -> None:
    other = kasse.demo.new_merchant()
    mine = merchant_reader(kasse).ledger_id()
    theirs = merchant_reader(kasse, other).ledger_id()
    _, reader = partner_reader(kasse, grant_msn="123456")

    listed = reader.get("/settlement/v1/ledgers").json()["items"]

    assert [ledger["ledgerId"] for ledger in listed] == [mine]
    assert reader.feed(mine, "funds").status_code == 200
    assert reader.feed(theirs, "funds").status_code == 404


def test_a_partner_without_grants_sees_no_ledgers_and_a_revoked_grant_is_gone(kasse: InProcessKasse) -> None:
    partner_id, reader = partner_reader(kasse)
    ledger_id = merchant_reader(kasse).ledger_id()

    revoked = kasse.client.delete(f"/_kasse/partners/{partner_id}/grants/{ledger_id}")

    assert revoked.status_code == 204
    assert reader.get("/settlement/v1/ledgers").json() == {"items": [], "cursor": ""}
    assert reader.feed(ledger_id, "funds").status_code == 404


def test_a_partner_token_cannot_make_payments(kasse: InProcessKasse) -> None:
    _, reader = partner_reader(kasse)

    headers = {**reader.headers, "Ocp-Apim-Subscription-Key": "kasse-demo-subscription-key",
               "Merchant-Serial-Number": "123456"}

    r = kasse.client.get("/epayment/v1/payments/any-reference-1", headers=headers)

    assert r.status_code == 401


@pytest.mark.parametrize(("authorization", "form"), [
    (None, b"grant_type=client_credentials"),
    ("Basic bm90OnJpZ2h0", b"grant_type=client_credentials"),
    ("Basic !!!", b"grant_type=client_credentials"),
])
def test_wrong_partner_credentials_get_no_token(kasse: InProcessKasse, authorization: str | None, form: bytes) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    r = kasse.client.post("/miami/v1/token", headers=headers, content=form)

    assert r.status_code == 401


def test_a_token_request_without_the_grant_type_is_400(kasse: InProcessKasse) -> None:
    _, client_id, secret = new_partner(kasse)

    r = partner_token(kasse.client, client_id, secret)
    r2 = kasse.client.post("/miami/v1/token", headers={"Authorization": "Basic eDp5"}, content=b"grant_type=password")

    assert r.status_code == 200 and r2.status_code == 400
    assert {d["name"] for d in r2.json()["extraDetails"]} == {"grant_type"}


def test_a_token_request_with_a_json_body_is_told_the_grant_type_goes_in_a_form(kasse: InProcessKasse) -> None:
    _, client_id, secret = new_partner(kasse)

    r = kasse.client.post("/miami/v1/token", auth=(client_id, secret), json={"grant_type": "client_credentials"})

    assert r.status_code == 400, r.text
    assert "application/x-www-form-urlencoded" in r.json()["detail"]
    assert [d["name"] for d in r.json()["extraDetails"]] == ["grant_type"]


def test_ledgertransactions_v1_is_gone(kasse: InProcessKasse) -> None:
    r = kasse.client.get("/report/v1/ledgertransactions", params={"ledgerId": "300001"})

    assert r.status_code == 410


@pytest.mark.parametrize(("path", "field"), [
    ("/report/v2/ledgers/{id}/funds/dates/2026-13-01", "ledgerDate"),
    ("/report/v2/ledgers/{id}/funds/dates/20260101", "ledgerDate"),
    ("/report/v2/ledgers/{id}/funds/dates/2026-01-01T00", "ledgerDate"),
    ("/report/v2/ledgers/{id}/payouts/dates/2026-01-01", "topic"),
    ("/report/v2/ledgers/{id}/payouts/feed", "topic"),
    ("/report/v2/ledgers/{id}/funds/feed?cursor=%%%garbled", "cursor"),
    ("/report/v2/ledgers/{id}/funds/dates/2026-01-01?cursor=eyJ4IjoxfQ", "cursor"),
    ("/settlement/v1/ledgers?cursor=bm9wZQ", "cursor"),
])
def test_malformed_input_is_400_with_error_code_10002_naming_it(kasse: InProcessKasse, path: str, field: str) -> None:
    reader = merchant_reader(kasse)

    r = kasse.client.get(path.format(id=reader.ledger_id()), headers=reader.headers)

    assert r.status_code == 400, r.text
    body = r.json()
    assert body["errorCode"] == 10002 and field in body["errorMessage"] and body["contextId"]
    assert [d["name"] for d in body["extraDetails"]] == [field]
    assert_spec_shape(body, "500")


def test_a_cursor_of_another_topic_is_refused(kasse: InProcessKasse) -> None:
    reader = merchant_reader(kasse)
    ledger_id = reader.ledger_id()
    fees_cursor = reader.feed(ledger_id, "fees").json()["cursor"]

    r = reader.feed(ledger_id, "funds", cursor=fees_cursor)

    assert r.status_code == 400 and r.json()["errorCode"] == 10002


SYSTEM_HEADERS = [f"Vipps-System-{part}" for part in ("Name", "Version", "Plugin-Name", "Plugin-Version")]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("header", SYSTEM_HEADERS)
def test_a_vipps_system_header_over_the_specs_length_is_400_naming_it(kasse: InProcessKasse, path: str,
                                                                      header: str) -> None:
    reader = merchant_reader(kasse)
    url, limit = path.format(id=reader.ledger_id()), header_max_length(header)

    at_limit = kasse.client.get(url, headers={**reader.headers, header: "x" * limit})
    over = kasse.client.get(url, headers={**reader.headers, header: "x" * (limit + 1)})

    assert at_limit.status_code == 200, at_limit.text
    assert over.status_code == 400, over.text
    assert over.json()["errorCode"] == 10002
    assert [d["name"] for d in over.json()["extraDetails"]] == [header]
    assert_spec_shape(over.json(), "500")
