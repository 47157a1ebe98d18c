"""The magic amounts of contract §9 as a POS sees them through the wallet and the API (the rules: unit tests)."""

import pytest

from tests.harness import (
    DEMO_CREDENTIALS,
    InProcessKasse,
    advance_clock,
    assert_problem,
    authorized,
)
from tests.integration.wallet_support import KARI, answer, behave, event_names, eventually, pushed, state

DECLINES = [151]  # one decline through the wallet's route; every amount: tests/unit/services/test_magic_amounts.py


@pytest.mark.parametrize("value", DECLINES)
def test_a_decline_amount_fails_the_authorization_and_aborts(kasse: InProcessKasse, value: int) -> None:
    reference = pushed(kasse.demo, value=value)

    approved = answer(kasse.client, KARI, reference)

    assert approved.json()["state"] == "ABORTED"
    assert event_names(kasse.demo, reference) == [("CREATED", True), ("AUTHORIZED", False), ("ABORTED", True)]
    payment = kasse.demo.get(reference).json()
    assert (payment["state"], payment["aggregate"]["authorizedAmount"]["value"]) == ("ABORTED", 0)
    [entry] = kasse.client.get(f"/_kasse/wallet/{KARI}/payments").json()
    assert entry["answer"] == "DECLINED" and entry["note"]


def test_201_leaves_the_result_unknown_for_an_hour_then_expires(kasse: InProcessKasse) -> None:
    reference = pushed(kasse.demo, value=201)

    approved = answer(kasse.client, KARI, reference)
    advance_clock(kasse.client, 59 * 60)
    an_hour_less_a_minute = state(kasse.demo, reference)
    advance_clock(kasse.client, 60)
    pos = kasse.session(DEMO_CREDENTIALS)  # the first access token lived one hour (contract §2.1)

    assert approved.json()["state"] == "CREATED"
    assert an_hour_less_a_minute == "CREATED"
    assert state(pos, reference) == "EXPIRED"
    assert event_names(pos, reference) == [("CREATED", True), ("EXPIRED", True)]


def test_202_asks_for_bankid_before_authorizing(kasse: InProcessKasse) -> None:
    reference = pushed(kasse.demo, value=202)

    first = answer(kasse.client, KARI, reference)
    confirmed = answer(kasse.client, KARI, reference, sca=True)

    assert assert_problem(first, 409)["extraDetails"] == [{"name": "reason", "reason": "SCA_REQUIRED"}]
    assert confirmed.json()["state"] == "AUTHORIZED"


def test_an_auto_approving_user_meets_declines_too(kasse: InProcessKasse) -> None:
    behave(kasse.client, KARI, "AUTO_APPROVE")

    reference = pushed(kasse.demo, value=186)

    assert eventually(lambda: state(kasse.demo, reference), lambda s: s != "CREATED") == "ABORTED"


@pytest.mark.parametrize(("value", "code"), [(123, "5100")])
def test_refunds_of_the_refund_amounts_are_refused(kasse_no_limits: InProcessKasse, value: int, code: str) -> None:
    demo = kasse_no_limits.demo
    reference = authorized(demo, 10000)
    demo.modify(reference, "capture", 10000)

    refused = demo.modify(reference, "refund", value)
    other = demo.modify(reference, "refund", 125)

    assert_problem(refused, 403 if code == "5100" else 400, code)
    assert other.status_code == 200
    assert [name for name, _ in event_names(demo, reference)] == ["CREATED", "AUTHORIZED", "CAPTURED", "REFUNDED"]
