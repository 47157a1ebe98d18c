"""SIGKILL while ledger dates are being closed: after a restart every date is closed exactly once (issue #16).

Hundreds of sales units, each with one capture, are filled into the store; then the clock is moved days
ahead and the server is SIGKILLed while it closes those dates. The first kill is certain to land inside a
closing: `report.slow-closing` holds one ledger's closing transaction open after its writes, the test kills
once the fault has fired, and the store then shows that ledger's date still open. Further kills come at
random moments. After a last restart every ledger must have closed every due date once: one
`fees-retained` and one `payout-scheduled` for the day of its capture, nothing written twice, balances
chained, funds back at zero.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from kasse.bootstrap import build
from kasse.domain.events import PaymentEvent
from kasse.domain.ledger import Topic
from kasse.domain.money import Currency, Money
from kasse.domain.payment_state import EventName
from kasse.services.merchants import MerchantSpec, create_merchant
from kasse.services.recording import record
from kasse.settings import DEMO, DEMO_SHOP, Settings
from tests.harness import TEST_DATABASE_URL, ServerProcess, schema_url

pytestmark = pytest.mark.slow

UNITS = 300
KILLS = 3  # the first inside a held closing, then at random moments
HOLD_SECONDS = 120.0


def store(database: Path) -> Any:
    url = schema_url(str(database), migrated=True) if TEST_DATABASE_URL else None
    return build(Settings(database=str(database), database_url=url, seed_demo=False))


def fill(database: Path) -> list[str]:
    """Create the sales units and book one capture each, straight into the store (not through the API)."""
    container = store(database)

    def job(uow: Any) -> list[str]:
        msns = []
        for i in range(UNITS):
            merchant = create_merchant(uow, container.clock, container.ids, MerchantSpec(name=f"unit {i}")).merchant
            record(uow, PaymentEvent(merchant.msn, f"kill-{i:04d}", f"kill-psp-{i:04d}", EventName.CAPTURED,
                                     Money(10000 + i, Currency.NOK), container.clock.now(), None))
            msns.append(merchant.msn)
        return msns

    try:
        found: list[str] = container.db.write_sync(job)
        return found
    finally:
        container.db.close()


def stored_ledger(database: Path, msn: str) -> tuple[Any, list[str]]:
    """Read one unit's ledger and its funds entry types straight from the store (no server running)."""
    container = store(database)

    def read(uow: Any) -> tuple[Any, list[str]]:
        ledger = uow.ledgers.for_msn(msn)
        funds = uow.ledgers.entries(ledger.ledger_id, Topic.FUNDS, after=0, limit=100)
        return ledger, [e.entry_type.value for e in funds]

    try:
        return container.db.read(read)  # type: ignore[no-any-return]
    finally:
        container.db.close()


def disarm_all(database: Path) -> None:
    """Disarm every fault straight in the store: a taken fault comes back when its closing dies uncommitted."""
    container = store(database)
    try:
        container.faults.disarm_all()
    finally:
        container.db.close()


def kill_inside_a_closing(server: ServerProcess, msn: str) -> None:
    """Hold `msn`'s closing open with `report.slow-closing`, move the clock, and SIGKILL once the hold began."""
    with httpx.Client(base_url=server.url, timeout=30, trust_env=False) as client:
        armed = client.post("/_kasse/faults", json={"msn": msn, "kind": "report.slow-closing", "times": 1,
                                                    "delaySeconds": HOLD_SECONDS})
        assert armed.status_code == 201, armed.text
        mover = threading.Thread(target=lambda: _advance(server))
        mover.start()
        deadline = time.monotonic() + HOLD_SECONDS / 2
        # the fault is taken inside the closing's transaction, which the hold keeps open: the log line tells
        while "report.slow-closing: holding" not in server.log.read_text(errors="replace"):
            assert time.monotonic() < deadline, "the slow closing never started"
            time.sleep(0.05)
        server.kill()
    mover.join()


def _advance(server: ServerProcess) -> None:
    with contextlib.suppress(httpx.HTTPError):  # killed mid-request: that is the point
        httpx.post(f"{server.url}/_kasse/clock/advance", json={"duration": "2d"}, timeout=HOLD_SECONDS)


def advance_then_kill(server: ServerProcess, rng: random.Random) -> None:
    mover = threading.Thread(target=lambda: _advance(server))
    mover.start()
    time.sleep(rng.uniform(0.02, 0.4))
    server.kill()
    mover.join()


def entries(client: httpx.Client, ledger_id: str, topic: str) -> list[dict[str, Any]]:
    r = client.get(f"/_kasse/ledgers/{ledger_id}/entries", params={"topic": topic, "limit": "1000"})
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()["entries"]
    return found


def test_dates_closed_under_sigkill_are_closed_exactly_once(tmp_path: Path) -> None:
    database = tmp_path / "kasse.db"
    held = fill(database)[UNITS // 2]
    rng = random.Random(16)
    server = ServerProcess(database)
    try:
        server.start()
        kill_inside_a_closing(server, held)
        ledger, funds = stored_ledger(database, held)
        assert funds == ["capture"] and ledger.payouts == 0, "the kill did not land inside the held closing"
        disarm_all(database)
        for _ in range(KILLS - 1):
            server.start()
            advance_then_kill(server, rng)
        server.start()
        with httpx.Client(base_url=server.url, timeout=30, trust_env=False) as client:
            assert client.post("/_kasse/ledgers/close").status_code == 200
            every = client.get("/_kasse/ledgers").json()["ledgers"]
            today = {ledger["openDate"] for ledger in every}
            # the demo unit and the till's own unit are seeded empty
            ledgers = [ledger for ledger in every if ledger["msn"] not in (DEMO.msn, DEMO_SHOP.msn)]

            assert len(ledgers) == UNITS and len(today) == 1
            for ledger in ledgers:
                funds, fees = entries(client, ledger["ledgerId"], "funds"), entries(client, ledger["ledgerId"], "fees")
                assert [e["entryType"] for e in funds] == ["capture", "fees-retained", "payout-scheduled"], ledger
                assert [e["entryType"] for e in fees] == ["capture-fee", "fees-retained"], ledger
                assert [e["position"] for e in funds] == [1, 2, 3]
                assert funds[-1]["pspReference"] == f"{ledger['ledgerId']}-1" and funds[-1]["balanceAfter"] == 0
                assert funds[1]["amount"] == -fees[1]["amount"] == fees[0]["amount"]
                for before, after in itertools.pairwise(funds):
                    assert after["balanceBefore"] == before["balanceAfter"]
                assert ledger["payouts"] == 1 and ledger["fundsBalance"] == 0 and ledger["feesBalance"] == 0
    finally:
        server.stop()
