"""Webhook delivery end to end (contract §8.2–§8.3): a real `kasse serve` and a real receiver on loopback.

Every event type arrives signed; refused deliveries are retried on the persisted schedule (moved
along with the control plane's clock) and arrive in order; one payment's stuck delivery holds back
only that payment; redelivery; the seven-day cut-off.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from kasse.domain.webhook_registration import EVENT_TYPES, PAYMENT_EVENTS
from tests.harness import DEMO_CREDENTIALS, ApiSession, ServerProcess, create_body, new_reference
from tests.integration.webhook_receiver import (
    Received,
    advance,
    deliveries,
    http_client,
    poll,
    receiving,
    register,
)
from tests.integration.webhook_spec import EPAYMENT, assert_schema

pytestmark = pytest.mark.slow  # a real `kasse serve` per test

FLOW = ["CREATED", "AUTHORIZED", "CAPTURED"]


@pytest.fixture
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    with http_client(server.url) as c:
        yield c


@pytest.fixture
def demo(client: httpx.Client) -> ApiSession:
    return ApiSession(client, DEMO_CREDENTIALS)


def pay(demo: ApiSession, reference: str, value: int = 10000) -> None:
    assert demo.create(create_body(reference, value)).status_code == 201
    assert demo.approve(reference).status_code == 200
    assert demo.modify(reference, "capture", value).status_code == 200


def test_every_payment_event_arrives_signed_and_in_order(demo: ApiSession, client: httpx.Client) -> None:
    with receiving() as receiver:
        hook = register(demo, receiver.url(), EVENT_TYPES)
        full, terminated, expired = new_reference("full"), new_reference("term"), new_reference("exp")
        demo.create(create_body(full, 10000))
        demo.approve(full)
        demo.modify(full, "capture", 6000)
        demo.modify(full, "refund", 1000)
        demo.cancel(full)
        demo.create(create_body(terminated))
        demo.cancel(terminated)
        demo.create(create_body(expired))
        advance(client, 601)  # contract §4.12: unanswered payments expire after ten minutes

        receiver.wait_for(lambda got: len(got) >= 9)

        assert receiver.names(full) == ["CREATED", "AUTHORIZED", "CAPTURED", "REFUNDED", "CANCELLED"]
        assert receiver.names(terminated) == ["CREATED", "TERMINATED"]
        assert receiver.names(expired) == ["CREATED", "EXPIRED"]
        receiver.verify_all(hook["secret"], receiver.url())
        for payload in receiver.payloads():
            assert_schema(payload, EPAYMENT, "WebhookEvent")
        log = demo.events(full).json()
        assert receiver.payloads(full) == [{"msn": DEMO_CREDENTIALS.msn, **event} for event in log]
        assert [p["amount"]["value"] for p in receiver.payloads(full)] == [10000, 10000, 6000, 1000, 4000]


def test_a_registration_gets_only_the_events_it_asked_for(demo: ApiSession) -> None:
    with receiving() as everything, receiving() as captures:
        register(demo, everything.url(), PAYMENT_EVENTS)
        register(demo, captures.url(), ["epayments.payment.captured.v1"])
        ref = new_reference()

        pay(demo, ref)

        everything.wait_for(lambda got: len(got) == 3)
        captures.wait_for(lambda got: len(got) == 1)
        assert captures.names(ref) == ["CAPTURED"]


def failing_first(n: int) -> Any:
    def answer(request: Received) -> int:
        answer.count += 1  # type: ignore[attr-defined]
        return 500 if answer.count <= n else 200  # type: ignore[attr-defined]

    answer.count = 0  # type: ignore[attr-defined]
    return answer


def test_refused_deliveries_are_retried_and_arrive_in_order(demo: ApiSession, client: httpx.Client) -> None:
    refusals = 7
    with receiving(failing_first(refusals)) as receiver:
        register(demo, receiver.url(), PAYMENT_EVENTS)
        refs = [new_reference(f"retry{i}") for i in range(3)]
        for ref in refs:
            pay(demo, ref)

        def all_delivered() -> list[dict[str, Any]]:
            advance(client, 130)  # past the 2 s, 60 s and 120 s retries
            return [d for ref in refs for d in deliveries(client, ref)]

        found = poll(all_delivered, lambda ds: {d["state"] for d in ds} == {"DELIVERED"}, timeout=30, every=0.2)

        accepted = receiver.accepted()
        for ref in refs:
            assert [r.json["name"] for r in accepted if r.json["reference"] == ref] == FLOW
        logged = [a for d in found for a in d["attempts"]]
        assert sum(a["responseCode"] == 500 for a in logged) == refusals
        assert all(a["error"] == "HTTP 500" for a in logged if a["responseCode"] == 500)
        assert sum(a["outcome"] == "ACCEPTED" for a in logged) == 9


def test_a_stuck_payment_holds_back_only_its_own_later_events(demo: ApiSession, client: httpx.Client) -> None:
    stuck, flowing = new_reference("stuck"), new_reference("flow")
    blocked = {stuck}
    with receiving(lambda r: 503 if r.json["reference"] in blocked else 200) as receiver:
        register(demo, receiver.url(), PAYMENT_EVENTS)
        pay(demo, stuck)
        pay(demo, flowing)

        receiver.wait_for(lambda got: receiver.names(flowing) == FLOW)

        assert set(receiver.names(stuck)) == {"CREATED"}
        held = deliveries(client, stuck)
        assert [(d["eventType"], d["state"], d["attemptCount"]) for d in held[1:]] == [
            ("epayments.payment.authorized.v1", "PENDING", 0),
            ("epayments.payment.captured.v1", "PENDING", 0),
        ]
        seen = len(receiver.received)
        blocked.clear()
        advance(client, 130)

        receiver.wait_for(lambda got: [r.json["name"] for r in got[seen:]] == FLOW)
        poll(lambda: deliveries(client, stuck), lambda ds: {d["state"] for d in ds} == {"DELIVERED"})


def test_a_delivery_is_redelivered_on_request(demo: ApiSession, client: httpx.Client) -> None:
    with receiving() as receiver:
        register(demo, receiver.url(), PAYMENT_EVENTS[:1])
        ref = new_reference()
        demo.create(create_body(ref))
        (first,) = poll(lambda: deliveries(client, ref), lambda ds: ds and ds[0]["state"] == "DELIVERED")

        r = client.post(f"/_kasse/webhooks/deliveries/{first['id']}/redeliver")

        assert r.status_code == 200, r.text
        receiver.wait_for(lambda got: len(got) == 2)
        assert receiver.payloads()[0] == receiver.payloads()[1]
        (again,) = poll(lambda: deliveries(client, ref), lambda ds: ds[0]["attemptCount"] == 2)
        assert again["state"] == "DELIVERED"
        assert [a["number"] for a in again["attempts"]] == [1, 2]
        assert client.post("/_kasse/webhooks/deliveries/999999/redeliver").status_code == 404


def test_after_seven_days_of_refusals_a_delivery_is_dead(demo: ApiSession, client: httpx.Client) -> None:
    accepting = False
    with receiving(lambda r: 200 if accepting else 500) as receiver:
        register(demo, receiver.url(), PAYMENT_EVENTS[:1])
        ref = new_reference()
        demo.create(create_body(ref))
        poll(lambda: deliveries(client, ref), lambda ds: ds and ds[0]["attemptCount"] >= 1)

        advance(client, 8 * 86400)

        (dead,) = poll(lambda: deliveries(client, ref), lambda ds: ds[0]["state"] == "DEAD")
        assert dead["attempts"][-1]["outcome"] == "EXHAUSTED"
        assert dead["nextAttemptAt"] is None
        accepting = True
        assert client.post(f"/_kasse/webhooks/deliveries/{dead['id']}/redeliver").status_code == 200
        poll(lambda: deliveries(client, ref), lambda ds: ds[0]["state"] == "DELIVERED")
        assert receiver.payloads()[-1]["reference"] == ref


def test_the_deliveries_page_lists_them(demo: ApiSession, client: httpx.Client) -> None:
    with receiving() as receiver:
        register(demo, receiver.url(), PAYMENT_EVENTS[:1])
        ref = new_reference()
        demo.create(create_body(ref))
        poll(lambda: deliveries(client, ref), lambda ds: ds and ds[0]["state"] == "DELIVERED")

        page = client.get("/_kasse/webhooks", params={"reference": ref})

        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert ref in page.text and "DELIVERED" in page.text and "Redeliver" in page.text
