"""The console's Webhooks page: registrations without secrets, deliveries with attempts, redeliver, test events."""

from __future__ import annotations

from datetime import UTC, datetime

from kasse.domain.webhook_signature import verify
from tests.harness import InProcessKasse, create_body, new_reference
from tests.integration.webhook_receiver import deliveries, poll, receiving, register

CREATED = "epayments.payment.created.v1"


def all_deliveries(kasse: InProcessKasse) -> list[dict[str, object]]:
    found: list[dict[str, object]] = kasse.client.get("/_kasse/webhooks/deliveries").json()
    return found


def test_a_registration_is_listed_without_its_secret(kasse: InProcessKasse) -> None:
    hook = register(kasse.demo, "http://127.0.0.1:9/hooks", [CREATED])

    page = kasse.client.get("/console/webhooks")

    assert page.status_code == 200
    assert hook["id"] in page.text and "http://127.0.0.1:9/hooks" in page.text
    assert hook["secret"] not in page.text


def test_a_test_event_reaches_the_receiver_signed_with_the_registration_s_secret(kasse: InProcessKasse) -> None:
    with receiving() as receiver:
        url = receiver.url()
        hook = register(kasse.demo, url, [CREATED])

        answer = kasse.client.post(f"/console/webhooks/registrations/{hook['id']}/test",
                                   data={"msn": "123456", "eventType": CREATED}, follow_redirects=False)

        assert answer.status_code == 303
        (got,) = receiver.wait_for(lambda got: len(got) == 1)
        verify(got.headers, got.body, hook["secret"], url, now=datetime.now(UTC))
        assert got.json["name"] == "CREATED" and got.json["reference"].startswith("test-event-")


def test_a_delivery_shows_its_attempts_and_links_its_payment(kasse: InProcessKasse) -> None:
    with receiving(lambda r: 503) as receiver:
        register(kasse.demo, receiver.url(), [CREATED])
        ref = new_reference("hook")
        kasse.demo.create(create_body(ref))
        poll(lambda: deliveries(kasse.client, ref), lambda ds: ds and ds[0]["attemptCount"] >= 1)

        page = kasse.client.get("/console/webhooks", params={"reference": ref}).text

    assert f'href="/console/payments/123456/{ref}"' in page
    assert "503" in page and "PENDING" in page and "next try" in page


def test_redelivering_queues_the_delivery_again(kasse: InProcessKasse) -> None:
    with receiving() as receiver:
        register(kasse.demo, receiver.url(), [CREATED])
        ref = new_reference("again")
        kasse.demo.create(create_body(ref))
        receiver.wait_for(lambda got: len(got) == 1)
        (delivery,) = poll(lambda: deliveries(kasse.client, ref), lambda ds: ds and ds[0]["state"] == "DELIVERED")

        answer = kasse.client.post(f"/console/webhooks/deliveries/{delivery['id']}/redeliver", follow_redirects=False)

        assert answer.status_code == 303
        receiver.wait_for(lambda got: len(got) == 2)


def test_bad_ids_get_the_page_with_an_error_and_queue_nothing(kasse: InProcessKasse) -> None:
    hook = register(kasse.demo, "http://127.0.0.1:9/hooks", [CREATED])
    cases = [
        ("/console/webhooks/deliveries/abc/redeliver", {}, 400, "A delivery id is a number"),
        ("/console/webhooks/deliveries/999999/redeliver", {}, 404, "No delivery 999999"),
        (f"/console/webhooks/registrations/{hook['id']}/test", {"msn": "654321"}, 404, "no such registration"),
        (f"/console/webhooks/registrations/{hook['id']}/test", {"msn": "123456", "eventType": "nope"}, 404,
         "no such registration"),
        ("/console/webhooks/registrations/unknown/test", {"msn": "123456"}, 404, "no such registration"),
        (f"/console/webhooks/registrations/{hook['id']}/test", {}, 400, "msn is required"),
    ]
    for path, data, status, says in cases:
        answer = kasse.client.post(path, data=data, follow_redirects=False)

        assert (answer.status_code, says in answer.text) == (status, True), path
    assert all_deliveries(kasse) == []


def test_the_state_fingerprint_changes_when_a_delivery_is_attempted(kasse: InProcessKasse) -> None:
    before = kasse.client.get("/console/webhooks/state.json").json()["state"]
    with receiving() as receiver:
        register(kasse.demo, receiver.url(), [CREATED])
        kasse.demo.create(create_body(new_reference("live")))
        receiver.wait_for(lambda got: len(got) == 1)

        after = poll(lambda: kasse.client.get("/console/webhooks/state.json").json()["state"],
                     lambda state: state.endswith(":DELIVERED:1"))

    assert before == "" and after != before
