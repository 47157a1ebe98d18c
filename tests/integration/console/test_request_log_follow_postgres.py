"""The request log followed by id (`kasse logs --follow`, the live Requests page) loses no row when two
processes record at once on PostgreSQL: ids are committed in the order they are handed out.

Two `kasse serve --workers 2` workers each append a batch in their own transaction. Were the later batch's
higher ids visible while the earlier batch was still uncommitted, a follower at `after=<highest seen>` would
skip the earlier batch for good. Runs only with KASSE_TEST_DATABASE_URL.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kasse.adapters.postgres.database import PostgresDatabase
from kasse.adapters.sql.unit_of_work import SqlUnitOfWork
from tests.harness import TEST_DATABASE_URL, schema_url
from tests.integration.console.test_request_log_store import a_request

pytestmark = pytest.mark.postgres


def test_a_follower_by_id_sees_every_batch_when_two_workers_append_at_once(tmp_path: Path) -> None:
    assert TEST_DATABASE_URL is not None
    url = schema_url(str(tmp_path / "follow"), migrated=True)
    first, second = PostgresDatabase(url, migrate=False).open(), PostgresDatabase(url, migrate=False).open()
    appended, release = threading.Event(), threading.Event()

    def slow_batch(uow: SqlUnitOfWork) -> None:  # a worker whose batch commits late
        uow.request_log.append([a_request(1, reference="early")])
        uow.request_log.search(limit=1)  # a read sends the pipelined insert: its id is taken, not yet committed
        appended.set()
        release.wait(30)

    try:
        early = threading.Thread(target=first.write_sync, args=(slow_batch,))
        early.start()
        assert appended.wait(30)
        late = threading.Thread(target=second.write_sync,
                                args=(lambda uow: uow.request_log.append([a_request(2, reference="late")]),))
        late.start()
        late.join(3)  # the other worker's batch commits now, unless it has to wait its turn

        seen = second.read(lambda uow: uow.request_log.search(limit=100))
        cursor = max((r.id for r in seen), default=0)
        release.set()
        early.join(30)
        late.join(30)
        seen += second.read(lambda uow: uow.request_log.search(after=cursor, limit=100))

        assert sorted(r.reference or "" for r in seen) == ["early", "late"]
    finally:
        release.set()
        first.close()
        second.close()
