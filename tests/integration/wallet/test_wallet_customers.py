"""Whom a create request reaches (contract §4.2.1, §5.2–§5.4), and behaviours answering without a person."""

import json
from typing import Any

import pytest

from tests.harness import InProcessKasse, advance_clock, assert_problem, create_body, new_reference
from tests.integration.wallet_support import (
    BASE,
    EMMA,
    KARI,
    METTE,
    behave,
    eventually,
    push,
    pushed,
    scan,
    state,
)


def wallet_of(kasse: InProcessKasse, msisdn: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = kasse.client.get(f"/_kasse/wallet/{msisdn}/payments").json()
    return found


def personal_qr(kasse: InProcessKasse, form: str, msisdn: str = KARI) -> str:
    found: str = kasse.client.get(f"/_kasse/users/{msisdn}").json()["personalQr"][form]
    return found


@pytest.mark.parametrize("form", ["tokenized", "clearText"])
def test_a_scanned_personal_qr_pushes_to_its_owner(kasse: InProcessKasse, form: str) -> None:
    created = push(kasse.demo, {"personalQr": personal_qr(kasse, form)})

    assert created.status_code == 201, created.text
    assert "redirectUrl" not in created.json()
    assert [p["reference"] for p in wallet_of(kasse, KARI)] == [created.json()["reference"]]


@pytest.mark.parametrize(
    ("customer", "extra", "code"),
    [
        ({"phoneNumber": "4700000000"}, {}, "7010"),
        ({"phoneNumber": METTE}, {}, "7010"),
        ({"phoneNumber": EMMA}, {"minimumUserAge": 18}, "7010"),
        ({"personalQr": "https://qr.vipps.no/p/nobody-has-this-token"}, {}, "4060"),
        ({"personalQr": "4712345678"}, {}, "4060"),
        ({"customerToken": "made-up"}, {}, "4050"),
    ],
    ids=["unknown-number", "other-market", "too-young", "unknown-qr", "not-a-qr", "unknown-token"],
)
def test_a_customer_who_cannot_be_reached_is_refused(kasse: InProcessKasse, customer: dict[str, str],
                                                     extra: dict[str, Any], code: str) -> None:
    response = push(kasse.demo, customer, **extra)

    assert_problem(response, 400, code)
    assert kasse.demo.get(json.loads(response.request.content)["reference"]).status_code == 404


def test_an_adult_passes_the_minimum_age(kasse: InProcessKasse) -> None:
    assert push(kasse.demo, {"phoneNumber": KARI}, minimumUserAge=18).status_code == 201


def register_check_in_webhook(kasse: InProcessKasse) -> None:
    r = kasse.client.post("/webhooks/v1/webhooks", headers=kasse.demo.headers(),
                          json={"url": "https://pos.example/hooks", "events": ["user.checked-in.v1"]})
    assert r.status_code == 201, r.text


def check_in(kasse: InProcessKasse) -> dict[str, Any]:
    kasse.client.put("/qr/v1/merchant-callback/vending-7", json={"locationDescription": "Vending machine 7"},
                     headers=kasse.demo.headers())
    scanned = scan(kasse.client, KARI, f"{BASE}/q/c/123456/vending-7")
    assert scanned.status_code == 200, scanned.text
    visit: dict[str, Any] = scanned.json()["checkIn"]
    return visit


def test_scanning_a_callback_qr_queues_user_checked_in_with_a_customer_token(kasse: InProcessKasse) -> None:
    register_check_in_webhook(kasse)

    visit = check_in(kasse)

    deliveries = kasse.client.get("/_kasse/webhooks/deliveries", params={"msn": "123456"}).json()
    [delivery] = [d for d in deliveries if d["eventType"] == "user.checked-in.v1"]
    assert delivery["payload"] == {"customerToken": visit["customerToken"], "merchantQrId": "vending-7",
                                   "msn": "123456", "initiatedAt": visit["initiatedAt"]}
    assert visit["locationDescription"] == "Vending machine 7"


def test_the_next_payment_with_the_token_reaches_the_waiting_user(kasse: InProcessKasse) -> None:
    token = check_in(kasse)["customerToken"]
    advance_clock(kasse.client, 14 * 60)

    created = push(kasse.demo, {"customerToken": token}, 5000)
    kasse.client.cookies.set("kasse_wallet_user", KARI)
    waiting = kasse.client.get(f"/wallet/waiting/{token}", follow_redirects=False)

    assert created.status_code == 201, created.text
    [entry] = wallet_of(kasse, KARI)
    assert (entry["reference"], entry["source"]) == (created.json()["reference"], "CHECK_IN")
    assert waiting.headers["location"] == f"/wallet/pay/123456/{entry['reference']}"


def test_a_web_redirect_with_the_token_as_in_the_vending_examples_reaches_the_user(kasse: InProcessKasse) -> None:
    token = check_in(kasse)["customerToken"]

    created = kasse.demo.create(create_body(new_reference(), 5000, userFlow="WEB_REDIRECT",
                                            returnUrl="https://vending.example/done",
                                            customer={"customerToken": token}))

    assert created.status_code == 201
    assert wallet_of(kasse, KARI)[0]["reference"] == created.json()["reference"]


def test_the_customer_token_is_invalid_after_15_minutes(kasse: InProcessKasse) -> None:
    token = check_in(kasse)["customerToken"]
    advance_clock(kasse.client, 15 * 60)

    assert_problem(push(kasse.demo, {"customerToken": token}), 400, "4050")


def test_another_sales_unit_cannot_use_the_token(kasse: InProcessKasse) -> None:
    token = check_in(kasse)["customerToken"]
    other = kasse.session(kasse.demo.new_merchant())

    assert_problem(push(other, {"customerToken": token}), 400, "4050")


class TestBehaviours:
    def test_auto_approve_answers_on_arrival(self, kasse: InProcessKasse) -> None:
        behave(kasse.client, KARI, "AUTO_APPROVE")

        reference = pushed(kasse.demo)

        assert eventually(lambda: state(kasse.demo, reference), lambda s: s != "CREATED") == "AUTHORIZED"

    def test_auto_approve_after_n_seconds_waits_for_the_clock(self, kasse: InProcessKasse) -> None:
        behave(kasse.client, KARI, "AUTO_APPROVE", 30)
        reference = pushed(kasse.demo)
        [entry] = wallet_of(kasse, KARI)

        advance_clock(kasse.client, 30)

        assert entry["pending"] is True
        assert eventually(lambda: state(kasse.demo, reference), lambda s: s != "CREATED") == "AUTHORIZED"

    def test_always_reject_aborts_on_arrival(self, kasse: InProcessKasse) -> None:
        behave(kasse.client, KARI, "ALWAYS_REJECT")

        reference = pushed(kasse.demo)

        assert eventually(lambda: state(kasse.demo, reference), lambda s: s != "CREATED") == "ABORTED"

    def test_never_answer_lets_the_payment_expire(self, kasse: InProcessKasse) -> None:
        behave(kasse.client, KARI, "NEVER_ANSWER")
        reference = pushed(kasse.demo)

        advance_clock(kasse.client, 600)

        assert state(kasse.demo, reference) == "EXPIRED"

    def test_a_behaviour_also_answers_a_scanned_one_time_qr(self, kasse: InProcessKasse) -> None:
        behave(kasse.client, KARI, "AUTO_APPROVE")
        reference = new_reference()
        created = kasse.demo.create(create_body(reference, qrFormat={"format": "TEXT/TARGETURL"}))

        scan(kasse.client, KARI, created.json()["redirectUrl"])

        assert eventually(lambda: state(kasse.demo, reference), lambda s: s != "CREATED") == "AUTHORIZED"

    @pytest.mark.parametrize("body", [{"behaviour": "SOMETIMES"}, {"behaviour": "AUTO_APPROVE", "delaySeconds": -1}])
    def test_an_unknown_behaviour_is_refused(self, kasse: InProcessKasse, body: dict[str, Any]) -> None:
        assert_problem(kasse.client.put(f"/_kasse/users/{KARI}/behaviour", json=body), 400)

    def test_a_behaviour_for_nobody_is_404(self, kasse: InProcessKasse) -> None:
        response = kasse.client.put("/_kasse/users/4700000009/behaviour", json={"behaviour": "MANUAL"})

        assert_problem(response, 404)
