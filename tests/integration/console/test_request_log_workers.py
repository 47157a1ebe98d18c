"""The request log with several processes: each request recorded exactly once, and nothing lost on shutdown.

Two `kasse serve --workers 2` processes' worth of traffic on one PostgreSQL schema (runs only with
KASSE_TEST_DATABASE_URL); one SQLite server for the shutdown flush everywhere.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest

from kasse.adapters.postgres.database import PostgresDatabase
from kasse.adapters.sqlite.database import SqliteDatabase
from tests.harness import DEMO_CREDENTIALS, TEST_DATABASE_URL, ServerProcess, new_reference, schema_url

REQUESTS = 120


async def _send_all(url: str, references: list[str]) -> list[int]:
    async with httpx.AsyncClient(base_url=url, trust_env=False) as client:
        token = (await client.post("/accesstoken/get", headers=DEMO_CREDENTIALS.token_headers())).json()
        headers = {"Authorization": f"Bearer {token['access_token']}", "Merchant-Serial-Number": DEMO_CREDENTIALS.msn,
                   "Ocp-Apim-Subscription-Key": DEMO_CREDENTIALS.subscription_key}
        answers = await asyncio.gather(*(client.get(f"/epayment/v1/payments/{r}", headers=headers)
                                         for r in references))
        return [a.status_code for a in answers]


def _logged(db: PostgresDatabase | SqliteDatabase, references: set[str]) -> Counter[str]:
    found = db.read(lambda uow: uow.request_log.search(msn=DEMO_CREDENTIALS.msn, limit=1000))
    return Counter(r.reference for r in found if r.reference in references)


@pytest.mark.postgres
def test_every_request_to_any_worker_is_logged_exactly_once(tmp_path: Path) -> None:
    assert TEST_DATABASE_URL is not None
    url = schema_url(str(tmp_path / "workers"))
    server = ServerProcess(tmp_path / "kasse.db", env={"KASSE_DATABASE_URL": url, "KASSE_RATE_LIMITS": "0"},
                           args=("--workers", "2")).start()
    references = [new_reference("once") for _ in range(REQUESTS)]
    try:
        statuses = asyncio.run(_send_all(server.url, references))
    finally:
        server.stop()  # SIGTERM: each worker flushes what it still holds

    db = PostgresDatabase(url).open()
    try:
        logged = _logged(db, set(references))
    finally:
        db.close()
    assert set(statuses) == {404}
    assert logged == Counter(references)


def test_a_stopping_server_flushes_what_it_still_holds(tmp_path: Path) -> None:
    if TEST_DATABASE_URL is not None:
        pytest.skip("the SQLite server's own case; PostgreSQL is covered above")
    server = ServerProcess(tmp_path / "kasse.db").start()
    references = [new_reference("flush") for _ in range(20)]
    try:
        asyncio.run(_send_all(server.url, references))
    finally:
        server.stop()

    db = SqliteDatabase(tmp_path / "kasse.db").open()
    try:
        assert _logged(db, set(references)) == Counter(references)
    finally:
        db.close()
