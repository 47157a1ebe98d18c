"""Webhook faults (docs/faults.md) applied by an in-process kasse's own delivery loop to a real receiver.

Each kind does what it says to the next deliveries of its sales unit only, uses one of its `times`
per firing, and leaves the outbox's guarantees intact: a refused attempt is retried, signed correctly.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from kasse.domain.webhook_registration import PAYMENT_EVENTS
from kasse.domain.webhook_signature import SignatureError, content_hash, verify
from tests.harness import ApiSession, InProcessKasse, create_body, new_reference
from tests.integration.webhook_receiver import Received, advance, deliveries, poll, receiving, register

DEMO_MSN = "123456"
CREATED = ["epayments.payment.created.v1"]


def arm(kasse: InProcessKasse, kind: str, msn: str = DEMO_MSN, **extra: Any) -> dict[str, Any]:
    r = kasse.client.post("/_kasse/faults", json={"msn": msn, "kind": kind, **extra})
    assert r.status_code == 201, r.text
    found: dict[str, Any] = r.json()
    return found


def create(session: ApiSession, prefix: str) -> str:
    ref = new_reference(prefix)
    assert session.create(create_body(ref)).status_code == 201
    return ref


def settled(kasse: InProcessKasse, ref: str, attempts: int = 1) -> list[dict[str, Any]]:
    """Wait until every delivery of `ref` has made `attempts` attempts; return them."""
    found: list[dict[str, Any]] = poll(lambda: deliveries(kasse.client, ref),
                                       lambda ds: ds and all(d["attemptCount"] >= attempts for d in ds))
    return found


def test_a_dropped_delivery_is_final_and_never_reaches_the_receiver(kasse: InProcessKasse) -> None:
    with receiving() as receiver:
        register(kasse.demo, receiver.url(), CREATED)
        fault = arm(kasse, "webhook.drop", times=1)

        dropped, after = create(kasse.demo, "dropped"), create(kasse.demo, "after")

        receiver.wait_for(lambda got: len(got) == 1)
        (delivery,) = settled(kasse, dropped)
        assert receiver.names(after) == ["CREATED"]
        assert receiver.names(dropped) == []
        assert delivery["state"] == "DELIVERED"
        assert delivery["attempts"][0]["error"] == f"dropped by fault {fault['id']}: never sent"


def test_a_delayed_delivery_waits_for_kasses_clock_and_keeps_its_order(kasse: InProcessKasse) -> None:
    with receiving() as receiver:
        register(kasse.demo, receiver.url(), PAYMENT_EVENTS)
        arm(kasse, "webhook.delay", times=1, delaySeconds=60)
        late = create(kasse.demo, "late")
        on_time = create(kasse.demo, "ontime")
        kasse.demo.approve(late)

        receiver.wait_for(lambda got: receiver.names(on_time) == ["CREATED"])

        assert receiver.names(late) == []
        assert [(d["state"], d["attemptCount"]) for d in deliveries(kasse.client, late)] == [("PENDING", 0)] * 2
        advance(kasse.client, 61)
        receiver.wait_for(lambda got: len(receiver.names(late)) == 2)
        assert receiver.names(late) == ["CREATED", "AUTHORIZED"]


def test_a_duplicated_delivery_arrives_twice_identically(kasse: InProcessKasse) -> None:
    with receiving() as receiver:
        hook = register(kasse.demo, receiver.url(), CREATED)
        arm(kasse, "webhook.duplicate", times=1)

        ref = create(kasse.demo, "twice")

        first, second = receiver.wait_for(lambda got: len(got) == 2)
        assert (first.headers, first.body) == (second.headers, second.body)
        receiver.verify_all(hook["secret"], receiver.url())
        assert [d["state"] for d in settled(kasse, ref)] == ["DELIVERED"]


def test_a_reordered_delivery_arrives_after_the_next_payments(kasse: InProcessKasse) -> None:
    with receiving() as receiver:
        register(kasse.demo, receiver.url(), CREATED)
        arm(kasse, "webhook.reorder", times=1)

        first = create(kasse.demo, "first")
        second = create(kasse.demo, "second")

        got = receiver.wait_for(lambda got: len(got) == 2)
        assert [r.json["reference"] for r in got] == [second, first]


def verifying(secret: dict[str, str]) -> Any:
    def answer(request: Received) -> int:
        try:
            verify(request.headers, request.body, secret["value"], secret["url"], now=datetime.now(UTC))
        except SignatureError:
            return 401
        return 200

    return answer


@pytest.mark.parametrize(("kind", "hash_matches"), [("webhook.bad-signature", True), ("webhook.bad-hash", False)])
def test_a_badly_signed_delivery_is_refused_then_retried_signed(kasse: InProcessKasse, kind: str,
                                                                hash_matches: bool) -> None:
    secret: dict[str, str] = {}
    with receiving(verifying(secret)) as receiver:
        hook = register(kasse.demo, receiver.url(), CREATED)
        secret.update(value=hook["secret"], url=receiver.url())
        arm(kasse, kind, times=1)

        ref = create(kasse.demo, "badsig")
        settled(kasse, ref)
        advance(kasse.client, 3)  # contract §8.3: the first retry comes 2 s later

        bad, good = receiver.wait_for(lambda got: len(got) == 2)
        (delivery,) = settled(kasse, ref, attempts=2)
        assert (bad.headers["x-ms-content-sha256"] == content_hash(bad.body)) is hash_matches
        assert [a["responseCode"] for a in delivery["attempts"]] == [401, 200]
        assert bad.body == good.body
        assert delivery["state"] == "DELIVERED"


def test_a_timed_out_delivery_was_received_and_is_retried(kasse: InProcessKasse) -> None:
    with receiving() as receiver:
        register(kasse.demo, receiver.url(), CREATED)
        fault = arm(kasse, "webhook.timeout", times=1)

        ref = create(kasse.demo, "timeout")
        (delivery,) = settled(kasse, ref)
        assert len(receiver.received) == 1
        advance(kasse.client, 3)

        first, again = receiver.wait_for(lambda got: len(got) == 2)
        (delivery,) = settled(kasse, ref, attempts=2)
        assert first.body == again.body
        assert [(a["responseCode"], a["outcome"]) for a in delivery["attempts"]] == [(None, "REFUSED"),
                                                                                      (200, "ACCEPTED")]
        assert fault["id"] in delivery["attempts"][0]["error"]
        assert delivery["attempts"][0]["error"].startswith("no answer within 10 s")


def test_a_fault_is_disarmed_after_its_times_are_used(kasse: InProcessKasse) -> None:
    with receiving() as receiver:
        register(kasse.demo, receiver.url(), CREATED)
        arm(kasse, "webhook.drop", times=2)

        refs = [create(kasse.demo, f"n{i}") for i in range(3)]

        (received,) = receiver.wait_for(lambda got: len(got) == 1)
        notes = [d["attempts"][0]["error"] for ref in refs for d in settled(kasse, ref)]
        assert sum(note is not None for note in notes) == 2
        assert received.json["reference"] in refs
        assert kasse.client.get("/_kasse/faults").json() == {"faults": []}


def test_another_sales_units_deliveries_are_unaffected(kasse: InProcessKasse) -> None:
    other = kasse.session(kasse.demo.new_merchant())
    with receiving() as mine, receiving() as theirs:
        register(kasse.demo, mine.url(), CREATED)
        register(other, theirs.url(), CREATED)
        fault = arm(kasse, "webhook.drop")

        dropped, delivered = create(kasse.demo, "mine"), create(other, "theirs")

        theirs.wait_for(lambda got: len(got) == 1)
        assert theirs.names(delivered) == ["CREATED"]
        assert [d["state"] for d in settled(kasse, dropped)] == ["DELIVERED"]
        assert mine.received == []
        listed = kasse.client.get("/_kasse/faults").json()["faults"]
        assert [(f["id"], f["remaining"]) for f in listed] == [(fault["id"], None)]
