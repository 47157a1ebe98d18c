"""A webhook receiver down for virtual days (contract §8.3): afterwards it gets everything, in order, until the cut-off.

The receiver answers 503 while payments produce events at different moments of kasse's frozen clock;
the clock is moved on in hours and days, and after each move the test waits until the delivery loop
has made the attempts that came due, so retries happen at the virtual times the schedule names. Back
within seven days of the first event, the receiver gets every event, each payment's in order. At the
cut-off, events older than seven days when it comes back are DEAD and never sent; newer ones arrive.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from kasse.domain.webhook_registration import PAYMENT_EVENTS
from tests.harness import DEMO_CREDENTIALS, ApiSession, ServerProcess, create_body, new_reference
from tests.integration.webhook_receiver import Receiver, advance, deliveries, http_client, poll, receiving, register

pytestmark = pytest.mark.slow  # a real `kasse serve` per test

HOUR, DAY = 3600, 86400


class Outage:
    """A receiver that answers 503 until `end` is called."""

    def __init__(self) -> None:
        self.down = True
        self.receiver: Receiver

    def answer(self, _: Any) -> int:
        return 503 if self.down else 200

    def end(self) -> None:
        self.down = False


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """One server for the module, its clock frozen: attempts happen only when a test moves time."""
    server = ServerProcess(tmp_path_factory.mktemp("down") / "kasse.db").start()
    try:
        with http_client(server.url) as c:
            assert c.post("/_kasse/clock/freeze").status_code == 200
            yield c
    finally:
        server.stop()


@pytest.fixture
def outage(client: httpx.Client) -> Iterator[Outage]:
    """A receiver that is down, registered for every payment event; unregistered afterwards."""
    outage = Outage()
    with receiving(outage.answer) as outage.receiver:
        hook = register(demo(client), outage.receiver.url(), PAYMENT_EVENTS)
        yield outage
        gone = client.delete(f"/webhooks/v1/webhooks/{hook['id']}", headers=demo(client).headers())
        assert gone.status_code == 204, gone.text


def demo(client: httpx.Client) -> ApiSession:
    """A session with a fresh token: days of virtual time outlive any access token."""
    return ApiSession(client, DEMO_CREDENTIALS)


def authorized_payment(client: httpx.Client, value: int = 10000) -> str:
    ref, session = new_reference("down"), demo(client)
    assert session.create(create_body(ref, value)).status_code == 201
    assert session.approve(ref).status_code == 200
    return ref


def modify(client: httpx.Client, ref: str, operation: str, value: int) -> None:
    assert demo(client).modify(ref, operation, value).status_code == 200


def _at(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def settled(client: httpx.Client, refs: list[str]) -> None:
    """Wait until the head of every payment's queue is answered or waits for a later moment than now."""
    now = _at(client.get("/_kasse/clock").json()["now"])

    def heads_waiting(found: list[list[dict[str, Any]]]) -> bool:
        pending = [next((d for d in ds if d["state"] == "PENDING"), None) for ds in found]
        return all(d is None or _at(d["nextAttemptAt"]) > now for d in pending)

    poll(lambda: [deliveries(client, ref) for ref in refs], heads_waiting)


def move(client: httpx.Client, seconds: int, refs: list[str]) -> None:
    advance(client, seconds)
    settled(client, refs)


def log_of(client: httpx.Client, ref: str) -> list[str]:
    return [e["pspReference"] for e in demo(client).events(ref).json()]


def arrivals(receiver: Receiver, ref: str) -> tuple[list[str], list[str]]:
    """Return the pspReferences of every request about `ref`, and of those the receiver accepted."""
    sent = [p["pspReference"] for p in receiver.payloads(ref)]
    accepted = [r.json["pspReference"] for r in receiver.accepted() if r.json["reference"] == ref]
    return sent, accepted


def test_a_receiver_down_for_six_days_gets_every_event_in_order_when_it_comes_back(
    client: httpx.Client, outage: Outage
) -> None:
    receiver = outage.receiver
    first = authorized_payment(client, 9000)
    refs = [first]
    settled(client, refs)
    move(client, HOUR, refs)
    refs.append(authorized_payment(client, 8000))
    modify(client, first, "capture", 3000)
    move(client, DAY, refs)
    modify(client, first, "capture", 6000)
    modify(client, refs[1], "capture", 8000)
    move(client, 2 * DAY, refs)
    modify(client, first, "refund", 2000)
    refs.append(authorized_payment(client, 7000))
    move(client, 2 * DAY, refs)
    modify(client, refs[2], "capture", 7000)
    modify(client, refs[1], "refund", 1000)
    move(client, DAY, refs)  # six days and an hour after the first event
    assert receiver.accepted() == []
    assert {d["state"] for ref in refs for d in deliveries(client, ref)} == {"PENDING"}

    outage.end()
    move(client, HOUR, refs)  # the next hourly retry

    for ref in refs:
        poll(lambda: deliveries(client, ref), lambda ds: {d["state"] for d in ds} == {"DELIVERED"})  # noqa: B023
        sent, accepted = arrivals(receiver, ref)
        log = log_of(client, ref)
        assert accepted == log, ref  # everything, once each, in the order of the event log
        assert sent == sorted(sent, key=log.index), ref  # no event went out before an earlier one was taken
    # the first event was tried once at each of the seven moments the clock stood at, the last time taken
    assert [a["responseCode"] for a in deliveries(client, first)[0]["attempts"]] == [503] * 6 + [200]


def test_events_older_than_seven_days_when_the_receiver_comes_back_are_dead_and_newer_ones_arrive(
    client: httpx.Client, outage: Outage
) -> None:
    receiver = outage.receiver
    old = authorized_payment(client)
    settled(client, [old])
    move(client, 3 * DAY, [old])
    new = authorized_payment(client)
    move(client, 2 * DAY, [old, new])

    outage.end()
    move(client, 2 * DAY + HOUR, [old, new])  # the old events are now seven days and an hour old, the new four

    dead = poll(lambda: deliveries(client, old), lambda ds: {d["state"] for d in ds} == {"DEAD"})
    poll(lambda: deliveries(client, new), lambda ds: {d["state"] for d in ds} == {"DELIVERED"})
    assert arrivals(receiver, new)[1] == log_of(client, new)
    assert arrivals(receiver, old)[1] == []
    assert [(d["attempts"][-1]["outcome"], d["attempts"][-1]["responseCode"]) for d in dead] == [
        ("EXHAUSTED", None), ("EXHAUSTED", None)]  # dropped, not sent
    assert all(d["nextAttemptAt"] is None for d in dead)
