"""The wallet's control plane (/_kasse/users, /_kasse/wallet): test users, scanning and answering without a person."""

from typing import Any

import pytest

from tests.harness import InProcessKasse, advance_clock, assert_problem, create_body, new_reference, token_of
from tests.integration.wallet_support import BASE, KARI, OLA, answer, pushed, scan, state


def test_a_new_user_comes_with_a_card_and_both_personal_qr_forms(kasse: InProcessKasse) -> None:
    created = kasse.client.post("/_kasse/users", json={"msisdn": "4799887766", "name": "Per Hansen",
                                                       "birthDate": "2001-02-03"})

    assert created.status_code == 201, created.text
    body = created.json()
    assert {k: body[k] for k in ("msisdn", "name", "birthDate", "market")} == {
        "msisdn": "4799887766", "name": "Per Hansen", "birthDate": "2001-02-03", "market": "NO"}
    assert body["card"]["maskedNumber"] == "•••• 7766"
    assert body["personalQr"]["clearText"] == "https://qr.vipps.no/28/2/01/031/4799887766?v=1"
    assert body["personalQr"]["tokenized"].startswith("https://qr.vipps.no/p/")
    assert body["behaviour"] == {"behaviour": "MANUAL", "delaySeconds": 0}
    assert kasse.client.get("/_kasse/users/4799887766").json() == body


def test_the_demo_users_are_seeded(kasse: InProcessKasse) -> None:
    users = {u["msisdn"]: u for u in kasse.client.get("/_kasse/users").json()}

    assert {"4712345678", "4798765432", "4791234567", "4512345678"} <= users.keys()
    assert users["4512345678"]["market"] == "DK"


@pytest.mark.parametrize(
    ("body", "status"),
    [({"msisdn": KARI}, 409), ({"msisdn": "12345"}, 400), ({"msisdn": "+4712345678"}, 400),
     ({"msisdn": "1234567890"}, 400), ({"msisdn": "4799000000", "birthDate": "2001-02-30"}, 400)],
    ids=["taken", "short", "plus", "no-market", "bad-date"],
)
def test_a_user_that_cannot_exist_is_refused(kasse: InProcessKasse, body: dict[str, Any], status: int) -> None:
    assert_problem(kasse.client.post("/_kasse/users", json=body), status)


def test_a_number_without_a_known_country_code_needs_a_market(kasse: InProcessKasse) -> None:
    created = kasse.client.post("/_kasse/users", json={"msisdn": "1234567890", "market": "FI"})

    assert created.json()["market"] == "FI"


def test_an_unknown_user_is_404(kasse: InProcessKasse) -> None:
    assert_problem(kasse.client.get("/_kasse/users/4700000001"), 404)
    assert_problem(scan(kasse.client, "4700000001", "anything"), 404)


def test_a_pushed_payment_is_listed_and_approved(kasse: InProcessKasse) -> None:
    reference = pushed(kasse.demo)

    listed = kasse.client.get(f"/_kasse/wallet/{KARI}/payments").json()
    approved = answer(kasse.client, KARI, reference)

    assert [(p["reference"], p["pending"], p["source"]) for p in listed] == [(reference, True, "PUSH")]
    assert approved.json()["state"] == "AUTHORIZED"
    assert state(kasse.demo, reference) == "AUTHORIZED"


def test_a_rejected_payment_is_aborted_and_cannot_be_answered_again(kasse: InProcessKasse) -> None:
    reference = pushed(kasse.demo)

    rejected = answer(kasse.client, KARI, reference, "reject")
    again = answer(kasse.client, KARI, reference)

    assert rejected.json()["state"] == "ABORTED"
    body = assert_problem(again, 409)
    assert body["extraDetails"] == [{"name": "reason", "reason": "ALREADY_ANSWERED"}]


def test_a_payment_left_alone_expires_on_the_moved_clock(kasse: InProcessKasse) -> None:
    reference = pushed(kasse.demo)

    advance_clock(kasse.client, 600)

    assert state(kasse.demo, reference) == "EXPIRED"
    assert assert_problem(answer(kasse.client, KARI, reference), 409)["extraDetails"][0]["reason"] == "NOT_WAITING"


def test_answering_someone_elses_or_an_unknown_payment_is_refused(kasse: InProcessKasse) -> None:
    reference = pushed(kasse.demo)

    assert_problem(answer(kasse.client, OLA, reference), 404)
    assert_problem(answer(kasse.client, OLA, reference, msn="123456"), 409)
    assert_problem(answer(kasse.client, KARI, "no-such-payment"), 404)


def qr_payment(kasse: InProcessKasse, fmt: str = "TEXT/TARGETURL", **extra: Any) -> tuple[str, str]:
    reference = new_reference()
    created = kasse.demo.create(create_body(reference, 12900, qrFormat={"format": fmt}, **extra))
    assert created.status_code == 201, created.text
    return reference, created.json()["redirectUrl"]


def test_scanning_a_one_time_qr_opens_the_payment_for_approval(kasse: InProcessKasse) -> None:
    reference, content = qr_payment(kasse)

    scanned = scan(kasse.client, KARI, content)
    approved = answer(kasse.client, KARI, reference)

    assert scanned.json() == {"kind": "PAYMENT", "payment": {
        "msn": "123456", "reference": reference, "state": "CREATED", "amount": {"currency": "NOK", "value": 12900}}}
    assert approved.json()["state"] == "AUTHORIZED"


def test_a_one_time_qr_belongs_to_the_first_user_who_scans_it(kasse: InProcessKasse) -> None:
    _, content = qr_payment(kasse)
    scan(kasse.client, KARI, content)

    taken = scan(kasse.client, OLA, content)

    assert assert_problem(taken, 409)["extraDetails"][0]["reason"] == "NOT_YOURS"


def test_the_landing_url_scans_like_the_qr(kasse: InProcessKasse) -> None:
    reference = new_reference()
    created = kasse.demo.create(create_body(reference, userFlow="WEB_REDIRECT", returnUrl="https://shop.example/r"))

    scanned = scan(kasse.client, KARI, created.json()["redirectUrl"])

    assert scanned.json()["payment"]["reference"] == reference
    assert token_of(created.json()["redirectUrl"])


def test_scanning_a_redirect_qr_tells_where_the_browser_goes(kasse: InProcessKasse) -> None:
    kasse.client.post("/qr/v1/merchant-redirect", json={"id": "m42", "redirectUrl": "https://shop.example/m42"},
                      headers=kasse.demo.headers(Accept="text/targetUrl"))

    scanned = scan(kasse.client, KARI, f"{BASE}/q/r/123456/m42")

    assert scanned.json() == {"kind": "MERCHANT_REDIRECT", "redirectUrl": "https://shop.example/m42"}


def test_a_redirect_qr_past_its_ttl_no_longer_scans(kasse: InProcessKasse) -> None:
    kasse.client.post("/qr/v1/merchant-redirect", json={"id": "m42", "redirectUrl": "https://shop.example/m42",
                                                        "ttl": 300}, headers=kasse.demo.headers(Accept="image/png"))
    advance_clock(kasse.client, 301)

    scanned = scan(kasse.client, KARI, f"{BASE}/q/r/123456/m42")

    assert assert_problem(scanned, 404)["extraDetails"][0]["reason"] == "QR_NO_LONGER_VALID"


@pytest.mark.parametrize(
    ("content", "status", "reason"),
    [("https://qr.vipps.no/28/2/01/031/4798765432?v=1", 400, "PERSONAL_QR"),
     ("https://example.com/", 400, "UNKNOWN_QR"),
     (f"{BASE}/q/c/123456/never-made", 404, "QR_NO_LONGER_VALID"),
     (f"{BASE}/p/no-such-token", 404, "UNKNOWN_PAYMENT")],
)
def test_content_that_leads_nowhere_is_refused(kasse: InProcessKasse, content: str, status: int,
                                               reason: str) -> None:
    body = assert_problem(scan(kasse.client, KARI, content), status)

    assert body["extraDetails"] == [{"name": "reason", "reason": reason}]


def test_the_control_plane_is_gone_in_production_mode(tmp_path: Any) -> None:
    from tests.harness import in_process

    for prod in in_process(tmp_path, production=True):
        assert prod.client.get("/_kasse/users").status_code == 404
        assert prod.client.get("/wallet/login").status_code == 404
