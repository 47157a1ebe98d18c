"""Repeated SIGKILLs under concurrent load lose nothing acknowledged and apply nothing twice (issue #8).

Client threads drive payments through create → approve → capture → capture → refund, each write with
its own Idempotency-Key, and retry through connection errors with the same key, as a POS would.
Meanwhile the server is SIGKILLed three to five times at random moments and restarted on the same
SQLite file and port. Afterwards every acknowledged answer must still be true, replaying every keyed
request must give the same answer and change nothing, each payment's event log must add up to its
aggregate, and every event must reach the registered receiver, signed, in order per payment.
"""

from __future__ import annotations

import random
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from kasse.domain.webhook_registration import PAYMENT_EVENTS
from tests.harness import DEMO_CREDENTIALS, ApiSession, ServerProcess, create_body, error_code, free_port, new_reference
from tests.integration.webhook_receiver import (
    Receiver,
    advance,
    deliveries,
    http_client,
    poll,
    receiving,
    register,
)

pytestmark = pytest.mark.slow

PAYMENTS = 64
THREADS = 8
KEYED = ("create", "capture", "capture-rest", "refund")  # the writes that carry an Idempotency-Key
STEPS = ("create", "approve", "capture", "capture-rest", "refund")
EVENTS = ["CREATED", "AUTHORIZED", "CAPTURED", "CAPTURED", "REFUNDED"]
RETRY_FOR = 30.0  # seconds a client keeps retrying one request through a dead server
PAUSE = 0.02  # seconds between retries: paces the reconnect attempts while the server restarts


@dataclass
class Plan:
    """One payment's requests, fixed up front so every retry and replay sends the same bytes."""

    index: int
    reference: str = field(default_factory=lambda: new_reference("kill"))
    acked: dict[str, httpx.Response] = field(default_factory=dict)

    @property
    def value(self) -> int:
        return 2000 + 10 * self.index  # clear of the test environment's magic amounts (contract §9)

    def amount(self, step: str) -> int:
        first = self.value // 3
        return {"capture": first, "capture-rest": self.value - first, "refund": self.value // 4}[step]

    def key(self, step: str) -> str:
        return f"{self.reference}-{step}"

    def expected_aggregate(self, step: str) -> dict[str, int]:
        """Return the aggregate the acknowledgement of `step` must show."""
        done = STEPS[: STEPS.index(step) + 1]
        captured = sum(self.amount(s) for s in ("capture", "capture-rest") if s in done)
        refunded = self.amount("refund") if "refund" in done else 0
        return {"authorized": self.value, "captured": captured, "refunded": refunded, "cancelled": 0}

    def send(self, session: ApiSession, step: str) -> httpx.Response:
        if step == "create":
            return session.create(create_body(self.reference, self.value), key=self.key(step))
        if step == "approve":
            return session.approve(self.reference)
        operation = "refund" if step == "refund" else "capture"
        return session.modify(self.reference, operation, self.amount(step), key=self.key(step))


@dataclass
class Load:
    """The client side: threads that drive plans and count what they saw."""

    url: str
    plans: list[Plan]
    acked: int = 0
    cut_off: int = 0  # requests that met a dead server and were sent again
    errors: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def retrying(self, call: Callable[[], httpx.Response]) -> tuple[httpx.Response, bool]:
        """Send until the server answers; also say whether a send was cut off on the way."""
        deadline, retried = time.monotonic() + RETRY_FOR, False
        while True:
            try:
                return call(), retried
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                retried = True
                with self.changed:
                    self.cut_off += 1
                time.sleep(PAUSE)

    def drive(self, plans: list[Plan]) -> None:
        try:
            with http_client(self.url) as client:
                session = ApiSession(client, DEMO_CREDENTIALS)  # before the first kill
                for plan in plans:
                    for step in STEPS:
                        r, retried = self.retrying(lambda: plan.send(session, step))  # noqa: B023
                        # a cut-off approval may have been applied: its retry is then refused as already done
                        done_before = retried and step == "approve" and r.status_code == 400 and error_code(r) == "6230"
                        assert r.is_success or done_before, (plan.reference, step, r.status_code, r.text)
                        plan.acked[step] = r
                        with self.changed:
                            self.acked += 1
                            self.changed.notify_all()
        except BaseException:  # reported by the test, not lost in the thread
            with self.changed:
                self.errors.append(traceback.format_exc())
                self.changed.notify_all()

    def wait_acked(self, count: int, timeout: float) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: self.acked >= count or self.errors, timeout), self.acked
            assert not self.errors, self.errors


@dataclass
class Outcome:
    server: ServerProcess
    load: Load
    receiver: Receiver
    secret: str
    kills: int


@pytest.fixture(scope="module")
def killed_repeatedly(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    """Run the load, SIGKILL and restart the server at random moments, and yield the last server."""
    database = Path(tmp_path_factory.mktemp("kills")) / "kasse.db"
    port = free_port()

    def start() -> ServerProcess:
        return ServerProcess(database, port=port, args=("--no-rate-limits",)).start()

    rng = random.Random()
    kills = rng.randint(3, 5)
    total = PAYMENTS * len(STEPS)
    moments = sorted(rng.sample(range(total // 10, total * 9 // 10), kills))  # after this many acknowledgements
    with receiving() as receiver:
        server = start()
        try:
            with http_client(server.url) as client:
                hook = register(ApiSession(client, DEMO_CREDENTIALS), receiver.url(), PAYMENT_EVENTS)
            load = Load(server.url, [Plan(i) for i in range(PAYMENTS)])
            threads = [threading.Thread(target=load.drive, args=(load.plans[n::THREADS],), daemon=True)
                       for n in range(THREADS)]
            for thread in threads:
                thread.start()
            for moment in moments:
                load.wait_acked(moment, timeout=30)
                server.kill()
                server = start()
            for thread in threads:
                thread.join(timeout=60)
            yield Outcome(server, load, receiver, hook["secret"], kills)
        finally:
            server.stop()


def _aggregate(payment: dict[str, Any]) -> dict[str, int]:
    return {k.removesuffix("Amount"): v["value"] for k, v in payment["aggregate"].items()}


def _totals(events: list[dict[str, Any]]) -> dict[str, int]:
    sums = {name: sum(e["amount"]["value"] for e in events if e["name"] == name)
            for name in ("AUTHORIZED", "CAPTURED", "REFUNDED", "CANCELLED")}
    return {name.lower(): value for name, value in sums.items()}


def test_every_acknowledged_operation_survives_the_kills_with_its_amounts(killed_repeatedly: Outcome) -> None:
    load = killed_repeatedly.load
    assert not load.errors, load.errors
    assert load.cut_off >= killed_repeatedly.kills, "each kill should have cut requests off"
    assert load.acked == PAYMENTS * len(STEPS)

    with http_client(killed_repeatedly.server.url) as client:
        session = ApiSession(client, DEMO_CREDENTIALS)
        for plan in load.plans:
            payment, events = session.get(plan.reference).json(), session.events(plan.reference).json()

            assert [e["name"] for e in events] == EVENTS, plan.reference
            assert [e.get("idempotencyKey") for e in events if e["name"] in ("CAPTURED", "REFUNDED")] == [
                plan.key("capture"), plan.key("capture-rest"), plan.key("refund"),
            ]
            assert [e["amount"]["value"] for e in events] == [
                plan.value, plan.value, plan.amount("capture"), plan.amount("capture-rest"), plan.amount("refund"),
            ]
            assert payment["state"] == "AUTHORIZED"
            assert _aggregate(payment) == _totals(events) == plan.expected_aggregate("refund")
            for step in ("capture", "capture-rest", "refund"):
                assert _aggregate(plan.acked[step].json()) == plan.expected_aggregate(step), (plan.reference, step)


def test_replaying_every_keyed_request_gives_the_same_answer_and_applies_nothing(
    killed_repeatedly: Outcome,
) -> None:
    load = killed_repeatedly.load

    with http_client(killed_repeatedly.server.url) as client:
        session = ApiSession(client, DEMO_CREDENTIALS)
        for plan in load.plans:
            before = session.events(plan.reference).json()
            for step in KEYED:
                replay, acked = plan.send(session, step), plan.acked[step]
                assert (replay.status_code, replay.content) == (acked.status_code, acked.content), (plan, step)

            assert session.events(plan.reference).json() == before
            assert _aggregate(session.get(plan.reference).json()) == plan.expected_aggregate("refund")


def test_every_event_reaches_the_receiver_signed_and_in_order_after_the_last_restart(
    killed_repeatedly: Outcome,
) -> None:
    outcome, receiver = killed_repeatedly, killed_repeatedly.receiver
    with http_client(outcome.server.url) as client:
        session = ApiSession(client, DEMO_CREDENTIALS)
        logs = {plan.reference: session.events(plan.reference).json() for plan in outcome.load.plans}
        expected = {e["pspReference"] for log in logs.values() for e in log}
        advance(client, 61)  # the claims of the killed servers on deliveries they were sending run out

        receiver.wait_for(lambda got: expected <= {r.json["pspReference"] for r in got}, timeout=30)

        for reference, log in logs.items():
            arrived = [p["pspReference"] for p in receiver.payloads(reference)]
            in_order = [psp for i, psp in enumerate(arrived) if i == 0 or arrived[i - 1] != psp]
            assert in_order == [e["pspReference"] for e in log], reference  # repeats only right after a kill
            by_psp = {p["pspReference"]: p for p in receiver.payloads(reference)}
            assert [by_psp[e["pspReference"]] for e in log] == [{"msn": DEMO_CREDENTIALS.msn, **e} for e in log]
            done = ["DELIVERED"] * len(log)
            poll(lambda: deliveries(client, reference), lambda ds: [d["state"] for d in ds] == done)  # noqa: B023
        receiver.verify_all(outcome.secret, receiver.url())
