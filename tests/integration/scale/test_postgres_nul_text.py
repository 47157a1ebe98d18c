"""A NUL in text fails only the job that carries it: PostgreSQL cannot store one, and neighbours must not notice.

psycopg refuses a NUL only as it sends the statement, with an error the batch writer took for a lost
connection: every job of the batch failed with it, so one request's `%00` failed other people's payments.
"""

from __future__ import annotations

import pytest

from kasse.adapters.postgres.database import PostgresDatabase
from kasse.adapters.sql.unit_of_work import SqlUnitOfWork
from kasse.domain.errors import UnstorableTextError
from tests.integration.scale.test_postgres_database import insert, keys, one_writer, pg_url, queued_behind_a_busy_writer

__all__ = ["one_writer", "pg_url"]  # the fixtures, shared with the adapter's own tests


def test_a_nul_in_a_batch_fails_its_own_job_and_no_other(one_writer: PostgresDatabase) -> None:
    db = one_writer
    futures = queued_behind_a_busy_writer(db, [insert("before"), insert("nul\x00key"), insert("after")])

    assert futures[0].result(10) == "before" and futures[2].result(10) == "after"
    with pytest.raises(UnstorableTextError):
        futures[1].result(10)
    assert keys(db) == {"before", "after"}


def test_a_lookup_by_a_text_with_a_nul_is_refused_before_it_is_sent(one_writer: PostgresDatabase) -> None:
    def lookup(uow: SqlUnitOfWork) -> object:
        return uow.conn.execute("SELECT value FROM settings WHERE key = ?", ("a\x00b",)).fetchone()

    with pytest.raises(UnstorableTextError):
        one_writer.read(lookup)
    assert one_writer.read(lambda uow: uow.conn.execute("SELECT 1").fetchone())[0] == 1  # the connection is fine
