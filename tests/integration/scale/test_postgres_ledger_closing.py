"""Several processes closing the same ledger dates on one PostgreSQL database close each date exactly once.

Runs only when KASSE_TEST_DATABASE_URL names a PostgreSQL server. Four processes race through the same
due ledgers at once; the row lock each closing takes makes the losers find the date closed already.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from kasse.bootstrap import build
from kasse.domain.events import PaymentEvent
from kasse.domain.ledger import Topic
from kasse.domain.money import Currency, Money
from kasse.domain.payment_state import EventName
from kasse.services import shared_clock
from kasse.services.ledger_closing import close_due_ledgers
from kasse.services.merchants import MerchantSpec, create_merchant
from kasse.services.recording import record
from kasse.settings import Settings
from tests.harness import TEST_DATABASE_URL, schema_url

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

UNITS = 120
PROCESSES = 4


def _settings(url: str, home: str) -> Settings:
    return Settings(database=str(Path(home) / "unused.db"), database_url=url, seed_demo=False)


def close_in_a_process(url: str, home: str, start: Any) -> list[tuple[str, str]]:
    container = build(_settings(url, home))
    try:
        start.wait()
        closed = asyncio.run(close_due_ledgers(container.db.read, container.db.write, container.clock, None))
        return [(c.ledger_id, c.ledger_date.isoformat()) for c in closed]
    finally:
        container.db.close()


def fill_and_move_the_clock(url: str, home: str) -> None:
    container = build(_settings(url, home))

    def job(uow: Any) -> None:
        for i in range(UNITS):
            merchant = create_merchant(uow, container.clock, container.ids, MerchantSpec(name=f"unit {i}")).merchant
            record(uow, PaymentEvent(merchant.msn, f"race-{i:04d}", f"race-psp-{i:04d}", EventName.CAPTURED,
                                     Money(5000 + i, Currency.NOK), container.clock.now(), None))

    try:
        container.db.write_sync(job)
        container.db.write_sync(lambda uow: shared_clock.move(uow, container.clock,
                                                              lambda clock: clock.advance(timedelta(days=3))))
    finally:
        container.db.close()


def test_racing_processes_close_every_date_once(tmp_path: Path) -> None:
    assert TEST_DATABASE_URL is not None
    url = schema_url(str(tmp_path / "race"), migrated=True)
    fill_and_move_the_clock(url, str(tmp_path))
    context = multiprocessing.get_context("spawn")
    start = context.Manager().Event()

    with context.Pool(PROCESSES) as pool:
        pending = [pool.apply_async(close_in_a_process, (url, str(tmp_path), start)) for _ in range(PROCESSES)]
        start.set()
        results = [p.get(timeout=120) for p in pending]

    closings = Counter(item for result in results for item in result)
    assert closings and max(closings.values()) == 1
    assert len(closings) == UNITS * 3
    container = build(_settings(url, str(tmp_path)))
    try:
        for ledger in container.db.read(lambda uow: uow.ledgers.list(after=None, limit=1000)):
            funds = container.db.read(lambda uow, i=ledger.ledger_id: uow.ledgers.entries(i, Topic.FUNDS, after=0,
                                                                                            limit=100))
            assert [e.entry_type.value for e in funds] == ["capture", "fees-retained", "payout-scheduled"]
            assert ledger.payouts == 1 and ledger.funds.balance == 0
    finally:
        container.db.close()
