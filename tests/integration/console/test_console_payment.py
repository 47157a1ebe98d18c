"""One payment's console page: its aggregate, receipt, customer, one timeline, and the actions on it."""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime

import pytest

from kasse.domain.webhook_signature import verify
from tests.harness import InProcessKasse, authorized, create_body, new_reference, receipt
from tests.integration.webhook_receiver import deliveries, poll, receiving

KARI = "4712345678"
MSN = "123456"


def page_of(kasse: InProcessKasse, ref: str, msn: str = MSN) -> str:
    answer = kasse.client.get(f"/console/payments/{msn}/{ref}")
    assert answer.status_code == 200, answer.text
    return answer.text


def act(kasse: InProcessKasse, ref: str, action: str, **form: str) -> tuple[int, str]:
    answer = kasse.client.post(f"/console/payments/{MSN}/{ref}/{action}", data=form, follow_redirects=True)
    alert = re.search(r'role="(?:alert|status)">([^<]*)', answer.text)
    return answer.status_code, alert.group(1) if alert else ""


def state_of(kasse: InProcessKasse, ref: str) -> str:
    state: str = kasse.demo.get(ref).json()["state"]
    return state


def test_a_pushed_payment_shows_its_customer_receipt_and_wallet_steps_then_is_approved_and_captured(
        kasse: InProcessKasse) -> None:
    ref = new_reference("push")
    body = create_body(ref, 12500, userFlow="PUSH_MESSAGE", customer={"phoneNumber": KARI}, receipt=receipt(12500))
    assert kasse.demo.create(body).status_code == 201

    before = page_of(kasse, ref)
    assert "Kari Nordmann" in before and KARI in before
    assert "Coffee" in before and "till-1" in before  # the receipt's order line and posId
    assert "arrived in the wallet (push)" in before
    assert act(kasse, ref, "approve") == (200, "Approved as the customer.")
    assert act(kasse, ref, "capture", amount="99999") == (400, "Capture amount too high")
    assert act(kasse, ref, "capture", amount="5000") == (200, "Captured.")

    after = page_of(kasse, ref)
    kinds = [k for k in re.findall(r'data-kind="(\w+)"', after) if k != "request"]  # requests are logged async
    assert kinds[:2] == ["wallet", "event"]  # the push arrived as the payment was created; the event after it
    assert "The customer approved" in after
    assert re.findall(r"<strong>(CREATED|AUTHORIZED|CAPTURED)</strong>", after) == ["CREATED", "AUTHORIZED", "CAPTURED"]
    assert 'class="seg captured" style="width: 40.0%"' in after and 'class="seg reserved" style="width: 60.0%"' in after
    assert state_of(kasse, ref) == "AUTHORIZED"
    assert kasse.demo.get(ref).json()["aggregate"]["capturedAmount"]["value"] == 5000


def test_the_timeline_shows_the_api_requests_about_the_payment_with_redacted_bodies(kasse: InProcessKasse) -> None:
    ref = new_reference("req")
    assert kasse.demo.create(create_body(ref), key=f"key-{ref}").status_code == 201
    assert kasse.demo.modify(ref, "capture", 100_000_000).status_code == 400  # refused: a 4xx in the timeline

    shown = poll(lambda: page_of(kasse, ref), lambda text: text.count('data-kind="request"') >= 2, timeout=30)

    assert "POST /epayment/v1/payments</strong>" in shown and f"key-{ref}" in shown
    assert re.search(r"/capture</strong>\s*<span class=\"chip bad\">400</span>", shown)
    assert kasse.demo.token not in shown and kasse.demo.creds.subscription_key not in shown
    kinds = re.findall(r'data-kind="(\w+)"', shown)
    assert kinds.index("request") < kinds.index("event")  # the create was asked before its event was recorded


def test_refund_and_cancel_go_through_the_same_rules_as_the_api(kasse: InProcessKasse) -> None:
    ref = authorized(kasse.demo, 10000)

    api = kasse.demo.modify(ref, "refund", 100)  # the API's answer to the same request
    assert act(kasse, ref, "refund", amount="100") == (api.status_code, api.json()["detail"])
    assert act(kasse, ref, "capture", amount="10000") == (200, "Captured.")
    assert act(kasse, ref, "refund", amount="2500") == (200, "Refunded.")
    assert act(kasse, ref, "cancel")[0] >= 400  # nothing is left to release
    aggregate = kasse.demo.get(ref).json()["aggregate"]
    assert (aggregate["capturedAmount"]["value"], aggregate["refundedAmount"]["value"]) == (10000, 2500)


def test_a_qr_payment_is_rejected_or_expired_now_from_the_console(kasse: InProcessKasse) -> None:
    rejected, expired = new_reference("rej"), new_reference("exp")
    for ref in (rejected, expired):
        assert kasse.demo.create(create_body(ref)).status_code == 201

    assert act(kasse, rejected, "reject") == (200, "Rejected as the customer.")
    assert act(kasse, expired, "expire") == (200, "Expired now.")
    assert (state_of(kasse, rejected), state_of(kasse, expired)) == ("ABORTED", "EXPIRED")
    assert act(kasse, expired, "approve")[0] >= 400
    final = page_of(kasse, expired)
    assert "nothing more can happen to it" in final and 'id="capture"' not in final and 'id="approve"' not in final


@pytest.mark.parametrize("amount", ["", "-5", "1.5", "abc", "0", "9" * 20])
def test_an_amount_that_is_not_whole_minor_units_gets_the_page_again(kasse: InProcessKasse, amount: str) -> None:
    ref = authorized(kasse.demo)

    status, said = act(kasse, ref, "capture", amount=amount)

    assert status == 400 and said.startswith("amount:")


def test_unknown_payments_and_actions_are_404_pages(kasse: InProcessKasse) -> None:
    ref = authorized(kasse.demo)

    assert kasse.client.get(f"/console/payments/{MSN}/no-such-payment").status_code == 404
    assert kasse.client.get(f"/console/payments/999999/{ref}").status_code == 404
    unknown = kasse.client.post(f"/console/payments/{MSN}/no-such-payment/capture", data={"amount": "1"})
    assert unknown.status_code == 404
    assert kasse.client.post(f"/console/payments/{MSN}/{ref}/explode").status_code == 404
    assert "No such payment" in kasse.client.get(f"/console/payments/{MSN}/no-such-payment").text


def test_each_webhook_attempt_is_shown_signed_and_a_delivery_is_redelivered(kasse: InProcessKasse) -> None:
    answers = iter([500, 200, 200, 200])
    with receiving(lambda r: next(answers)) as receiver:
        hook = kasse.client.post("/webhooks/v1/webhooks", headers=kasse.demo.headers(),
                                 json={"url": receiver.url(), "events": ["epayments.payment.created.v1"]})
        assert hook.status_code == 201
        ref = new_reference("hook")
        assert kasse.demo.create(create_body(ref)).status_code == 201
        poll(lambda: deliveries(kasse.client, ref), lambda ds: ds and ds[0]["state"] == "DELIVERED", timeout=30)

        shown = page_of(kasse, ref)
        assert re.findall(r"<span class=\"mono\">#(\d)</span>", shown) == ["1", "2"]
        assert "HTTP 500" in shown and "DELIVERED" in shown
        headers = dict(re.findall(r"^(x-ms-date|x-ms-content-sha256|host|authorization): (.+)$", shown, re.M))
        first = receiver.received[0]
        signed_at = parsedate_to_datetime(headers["x-ms-date"])  # signed as the sender signs, for that moment
        verify({**headers, "authorization": headers["authorization"].replace("&amp;", "&")}, first.body,
               hook.json()["secret"], receiver.url(), now=signed_at)

        delivery = re.search(r'name="delivery" value="(\d+)"', shown)
        assert delivery
        assert act(kasse, ref, "redeliver", delivery=delivery.group(1)) == (
            200, "The webhook delivery is queued to be sent again now.")
        receiver.wait_for(lambda got: len(got) == 3)
        poll(lambda: page_of(kasse, ref), lambda text: "#3</span>" in text, timeout=30)
    assert act(kasse, ref, "redeliver", delivery="424242")[0] == 400
