"""The delivery use-case scenarios of `tests/unit/services/test_deliveries.py`, rerun on SQLite.

The SQL repository expresses the ordering rule and the lease in SQL; running the very same
scenarios on both proves the fake and the real store agree.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from kasse.adapters.sql.unit_of_work import SqlUnitOfWork
from kasse.adapters.sql.webhook_repositories import DUE_SQL
from kasse.adapters.sqlite.database import SqliteDatabase
from tests.unit.services.test_deliveries import (  # noqa: F401 - collected here, with this module's `uow`
    test_a_claim_keeps_other_workers_off_until_its_lease_runs_out,
    test_a_delivery_refused_for_seven_days_is_dead,
    test_a_failing_delivery_holds_back_its_payment_but_not_others,
    test_a_later_event_of_a_payment_waits_until_the_earlier_is_delivered,
    test_a_refused_attempt_is_retried_on_the_schedule,
    test_an_accepted_attempt_delivers_it_for_good,
    test_an_outcome_arriving_after_the_claim_was_lost_is_not_applied,
    test_check_ins_belong_to_no_payment_and_are_never_held,
    test_deleting_a_registration_discards_what_it_had_pending,
    test_each_subscribed_registration_gets_its_own_delivery,
    test_held_deliveries_wait_behind_a_refused_one_and_follow_it_at_once,
    test_redelivering_a_held_payments_head_lets_the_rest_follow_without_waiting,
    test_redelivering_an_unknown_delivery_is_refused,
    test_redelivery_queues_a_delivered_or_dead_delivery_again,
)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "kasse.db"
    SqliteDatabase(path).open().close()  # migrated to head, once
    return path


@pytest.fixture
def uow(migrated: Path, tmp_path: Path) -> Iterator[SqlUnitOfWork]:
    path = tmp_path / "kasse.db"
    shutil.copyfile(migrated, path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    try:
        yield SqlUnitOfWork(conn)
    finally:
        conn.close()


def test_finding_due_deliveries_uses_the_partial_indexes(uow: SqlUnitOfWork) -> None:
    plan = uow.conn.execute(f"EXPLAIN QUERY PLAN {DUE_SQL}", (0, 0, 10)).fetchall()

    details = " ".join(str(row[-1]) for row in plan)

    assert "webhook_deliveries_due" in details
    assert "webhook_deliveries_pending_by_payment" in details
