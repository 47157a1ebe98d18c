"""A crash loses nothing acknowledged (DESIGN: transactional outbox, durable group commit).

Several threads drive payments through create → approve → capture against a real `kasse serve`;
the process group is SIGKILLed while requests are in flight; a new server opens the same file.
Every acknowledged answer must still be true, nothing may be half written, and retrying with the
same Idempotency-Keys must finish every payment exactly once.
"""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.harness import DEMO_CREDENTIALS, ApiSession, ServerProcess, create_body, new_reference

pytestmark = pytest.mark.slow

PAYMENTS = 300
THREADS = 6
KILL_AFTER = 360  # acknowledged operations out of 3 × PAYMENTS, so the kill lands mid-run
STEPS = ("create", "approve", "capture")


@dataclass
class Plan:
    """One payment's requests, fixed up front so they can be retried byte for byte after the crash."""

    index: int
    reference: str = field(default_factory=new_reference)
    acked: dict[str, httpx.Response] = field(default_factory=dict)

    @property
    def value(self) -> int:
        return 1000 + self.index

    def key(self, step: str) -> str:
        return f"{self.reference}-{step}"

    def send(self, session: ApiSession, step: str) -> httpx.Response:
        if step == "create":
            return session.create(create_body(self.reference, self.value), key=self.key(step))
        if step == "approve":
            return session.approve(self.reference)
        return session.modify(self.reference, "capture", self.value, key=self.key(step))


@dataclass
class Run:
    plans: list[Plan]
    acked: int = 0
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    enough: threading.Event = field(default_factory=threading.Event)

    def drive(self, url: str, plans: list[Plan]) -> None:
        with httpx.Client(base_url=url, timeout=10.0) as client:
            session = ApiSession(client, DEMO_CREDENTIALS)
            for plan in plans:
                for step in STEPS:
                    try:
                        r = plan.send(session, step)
                    except httpx.HTTPError:
                        with self.lock:
                            self.failures += 1
                        return  # the server is gone
                    assert r.is_success, r.text
                    plan.acked[step] = r
                    with self.lock:
                        self.acked += 1
                        if self.acked >= KILL_AFTER:
                            self.enough.set()


@pytest.fixture(scope="module")
def crashed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, Run]]:
    """Drive payments, SIGKILL the server mid-run, and yield a fresh server on the same database file.

    Shared by both tests: the first only reads and replays, and what it checks holds after the second too.
    """
    database = Path(tmp_path_factory.mktemp("crash")) / "kasse.db"
    first = ServerProcess(database).start()
    run = Run([Plan(i) for i in range(PAYMENTS)])
    workers = [threading.Thread(target=run.drive, args=(first.url, run.plans[n::THREADS])) for n in range(THREADS)]
    try:
        for worker in workers:
            worker.start()
        assert run.enough.wait(timeout=90), f"only {run.acked} operations acknowledged"
        first.kill()
        for worker in workers:
            worker.join(timeout=30)
    finally:
        first.kill()
    second = ServerProcess(database).start()
    try:
        yield second, run
    finally:
        second.stop()


def _check_consistent(payment: dict[str, Any], events: list[dict[str, Any]], plan: Plan) -> None:
    names = [e["name"] for e in events]
    assert names[0] == "CREATED", names
    assert events[0]["idempotencyKey"] == plan.key("create")
    assert payment["pspReference"] == events[0]["pspReference"]
    totals = {name: sum(e["amount"]["value"] for e in events if e["name"] == name)
              for name in ("AUTHORIZED", "CAPTURED", "REFUNDED", "CANCELLED")}
    aggregate = {k.removesuffix("Amount").upper(): v["value"] for k, v in payment["aggregate"].items()}
    assert aggregate == totals, (aggregate, names)
    assert payment["state"] == ("AUTHORIZED" if "AUTHORIZED" in names else "CREATED")
    assert names.count("CREATED") == 1
    assert names.count("AUTHORIZED") <= 1


def test_every_acknowledged_write_survives_a_kill_and_nothing_is_half_written(
    crashed: tuple[ServerProcess, Run],
) -> None:
    server, run = crashed
    assert run.failures >= 1, "the kill should have cut requests off"
    assert run.acked < 3 * PAYMENTS, "the kill should have come before the run finished"

    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        session = ApiSession(client, DEMO_CREDENTIALS)
        for plan in run.plans:
            got, events = session.get(plan.reference), session.events(plan.reference)
            if got.status_code == 404:
                assert not plan.acked, f"{plan.reference} was acknowledged but is gone"
                assert events.status_code == 404
                continue
            payment, log = got.json(), events.json()
            _check_consistent(payment, log, plan)
            if "approve" in plan.acked:
                assert payment["state"] == "AUTHORIZED"
            if "capture" in plan.acked:
                acked = plan.acked["capture"]
                assert payment["aggregate"]["capturedAmount"] == acked.json()["aggregate"]["capturedAmount"]
                assert [e["idempotencyKey"] for e in log if e["name"] == "CAPTURED"] == [plan.key("capture")]
                replay = plan.send(session, "capture")
                assert (replay.status_code, replay.content) == (acked.status_code, acked.content)


def test_retrying_with_the_same_keys_after_a_kill_finishes_every_payment_once(
    crashed: tuple[ServerProcess, Run],
) -> None:
    server, run = crashed

    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        session = ApiSession(client, DEMO_CREDENTIALS)
        for plan in run.plans:
            for step in STEPS:
                if step not in plan.acked:
                    r = plan.send(session, step)
                    approved_already = step == "approve" and r.status_code == 400 and "6230" in r.text
                    assert r.is_success or approved_already, (step, r.text)

        for plan in run.plans:
            payment = session.get(plan.reference).json()
            names = [e["name"] for e in session.events(plan.reference).json()]
            assert names == ["CREATED", "AUTHORIZED", "CAPTURED"], (plan.reference, names)
            assert payment["aggregate"]["capturedAmount"]["value"] == plan.value
