"""Events only the wallet or a static QR can cause (aborted, user.checked-in.v1), driven through the use cases
of an in-process kasse, delivered by its own loop to a real receiver; and what deleting a registration does."""

from __future__ import annotations

import pytest

from kasse import live_streams
from kasse.domain.webhook_registration import CHECKED_IN, EVENT_TYPES, PAYMENT_EVENTS
from kasse.services.payments import load, reject_payment
from kasse.services.recording import record_check_in
from tests.harness import InProcessKasse, create_body, new_reference
from tests.integration.webhook_receiver import deliveries, poll, receiving, register
from tests.integration.webhook_spec import EPAYMENT, assert_schema


@pytest.fixture(autouse=True)
def _short_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    # a test client reads a stream to its end: a second instead of the 25 s a browser's stream lives
    monkeypatch.setattr(live_streams, "LIFETIME", 1.0)


def test_an_aborted_payment_is_delivered_signed(kasse: InProcessKasse) -> None:
    c = kasse.container
    with receiving() as receiver:
        hook = register(kasse.demo, receiver.url(), EVENT_TYPES)
        ref = new_reference("abort")
        kasse.demo.create(create_body(ref))

        c.db.write_sync(lambda uow: reject_payment(uow, c.clock, c.ids, load(uow, kasse.demo.creds.msn, ref)))

        receiver.wait_for(lambda got: len(got) == 2)
        assert receiver.names(ref) == ["CREATED", "ABORTED"]
        assert_schema(receiver.payloads(ref)[1], EPAYMENT, "WebhookEvent")
        receiver.verify_all(hook["secret"], receiver.url())


def test_a_check_in_goes_to_the_sales_units_check_in_registration(kasse: InProcessKasse) -> None:
    c = kasse.container
    payload = {"msn": kasse.demo.creds.msn, "customerToken": "tok-123", "channelId": "vending-7"}
    with receiving() as receiver, receiving() as payments_only:
        hook = register(kasse.demo, receiver.url("/check-in"), [CHECKED_IN])
        register(kasse.demo, payments_only.url(), PAYMENT_EVENTS)

        c.db.write_sync(lambda uow: record_check_in(uow, kasse.demo.creds.msn, payload, c.clock.now()))

        (got,) = receiver.wait_for(lambda got: len(got) == 1)
        assert got.json == payload
        assert got.path == "/check-in"
        receiver.verify_all(hook["secret"], receiver.url("/check-in"))
        assert payments_only.received == []


def test_deleting_a_registration_discards_its_pending_deliveries(kasse: InProcessKasse) -> None:
    with receiving(lambda r: 500) as receiver:
        hook = register(kasse.demo, receiver.url(), PAYMENT_EVENTS)
        ref = new_reference("gone")
        kasse.demo.create(create_body(ref))
        kasse.demo.approve(ref)
        receiver.wait_for(lambda got: len(got) >= 1)

        r = kasse.client.delete(f"/webhooks/v1/webhooks/{hook['id']}", headers=kasse.demo.headers())

        assert r.status_code == 204
        found = poll(lambda: deliveries(kasse.client, ref), lambda ds: {d["state"] for d in ds} == {"DISCARDED"})
        assert [d["url"] for d in found] == [None, None]
        assert kasse.client.post(f"/_kasse/webhooks/deliveries/{found[0]['id']}/redeliver").status_code == 409


def test_the_event_stream_resumes_after_a_given_position(kasse: InProcessKasse) -> None:
    first, second = new_reference("one"), new_reference("two")
    kasse.demo.create(create_body(first))
    kasse.demo.create(create_body(second))
    msn, headers = kasse.demo.creds.msn, kasse.demo.headers()

    everything = kasse.client.get("/_kasse/events/stream", params={"msn": msn, "after": 0}, headers=headers).text
    ids = [int(line[4:]) for line in everything.splitlines() if line.startswith("id: ")]
    rest = kasse.client.get("/_kasse/events/stream", headers={**headers, "Last-Event-ID": str(ids[0])})

    assert first in everything and second in everything
    assert first not in rest.text and second in rest.text
    assert rest.headers["content-type"].startswith("text/event-stream")
    assert kasse.client.get("/_kasse/events/stream", params={"msn": "12"}, headers=headers).status_code == 400


def test_the_event_stream_shows_a_sales_unit_its_own_events_only(kasse: InProcessKasse) -> None:
    other = kasse.session(kasse.demo.new_merchant())
    mine, theirs = new_reference("mine"), new_reference("theirs")
    kasse.demo.create(create_body(mine))
    other.create(create_body(theirs))

    anonymous = kasse.client.get("/_kasse/events/stream", params={"msn": kasse.demo.creds.msn, "after": 0})
    forged = kasse.client.get("/_kasse/events/stream", params={"after": 0},
                              headers=kasse.demo.headers(Authorization="Bearer not-a-token"))
    foreign = kasse.client.get("/_kasse/events/stream", params={"msn": kasse.demo.creds.msn, "after": 0},
                               headers=other.headers())
    own = kasse.client.get("/_kasse/events/stream", params={"after": 0}, headers=other.headers()).text

    assert (anonymous.status_code, forged.status_code, foreign.status_code) == (401, 401, 403)
    assert mine not in anonymous.text + forged.text + foreign.text
    assert theirs in own and mine not in own
