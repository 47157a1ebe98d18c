"""Secrets never leave where they must live: not in the server log, the event log, webhook records or problems.

A real `kasse serve` runs token fetches, merchant creation, webhook registration and payment flows
with deliveries; then its log, its SQLite file and every response are searched for each secret.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.harness import (
    DEMO_CREDENTIALS,
    TEST_DATABASE_URL,
    ApiSession,
    ServerProcess,
    create_body,
    new_reference,
)
from tests.integration.webhook_receiver import Receiver, deliveries, http_client, poll, receiving, register

EVENTS = ["epayments.payment.created.v1", "epayments.payment.authorized.v1", "epayments.payment.captured.v1",
          "epayments.payment.refunded.v1", "epayments.payment.cancelled.v1"]

# where a secret has to be stored for kasse to work, and why (subscription keys and client secrets are hashes)
CREDENTIAL_COLUMNS = {
    "webhooks": {"secret"},  # the HMAC key each delivery is signed with (contract §8.3)
}


class Recording(httpx.Client):
    """An httpx client that keeps every response, to search the problems among them."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url=base_url, timeout=15.0, trust_env=False)
        self.responses: list[httpx.Response] = []

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        response = super().send(request, **kwargs)
        response.read()
        self.responses.append(response)
        return response


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as r:
        yield r


def _flows(session: ApiSession) -> list[str]:
    captured, cancelled = new_reference(), new_reference()
    for ref in (captured, cancelled):
        assert session.create(create_body(ref, 10000)).status_code == 201
        assert session.approve(ref).status_code == 200
    assert session.modify(captured, "capture", 10000).status_code == 200
    assert session.modify(captured, "refund", 2500).status_code == 200
    assert session.cancel(cancelled).status_code == 200
    return [captured, cancelled]


def _refusals(client: httpx.Client, secrets: list[str], session: ApiSession) -> None:
    """Send requests that carry secrets in the wrong places, so problems could echo them."""
    creds = session.creds
    client.post("/accesstoken/get", headers={**creds.token_headers(), "client_secret": creds.subscription_key})
    client.post("/accesstoken/get", headers={**creds.token_headers(), "Ocp-Apim-Subscription-Key": creds.client_secret})
    for secret in secrets:
        client.get(f"/epayment/v1/payments/{new_reference()}",
                   headers=session.headers(Authorization=f"Bearer {secret}"))
        client.get("/webhooks/v1/webhooks", headers=session.headers(**{"Ocp-Apim-Subscription-Key": secret}))
        client.post("/accesstoken/get", headers={**creds.token_headers(), "client_secret": secret})


def _all_delivered(found: list[dict[str, object]]) -> bool:
    return bool(found) and all(d["state"] == "DELIVERED" for d in found)


def _stored_text(database: Path) -> dict[str, str]:
    """Return each table's rows as text, leaving out the columns where a secret must be stored."""
    out = {}
    with sqlite3.connect(database) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
            kept = [c for c in columns if c not in CREDENTIAL_COLUMNS.get(table, set())]
            rows = db.execute(f'SELECT {", ".join(f"{chr(34)}{c}{chr(34)}" for c in kept)} FROM "{table}"')
            out[table] = "\n".join(repr(row) for row in rows)
    return out


@pytest.mark.skipif(TEST_DATABASE_URL is not None, reason="searches the SQLite file's tables")
def test_no_secret_appears_in_logs_records_or_problems(tmp_path: Path, receiver: Receiver) -> None:
    server = ServerProcess(tmp_path / "kasse.db").start()
    try:
        client = Recording(server.url)
        demo = ApiSession(client, DEMO_CREDENTIALS)
        other = ApiSession(client, demo.new_merchant())
        hooks = [register(s, receiver.url(), EVENTS) for s in (demo, other)]
        refs = [ref for s in (demo, other) for ref in _flows(s)]
        with http_client(server.url) as plain:
            for ref in refs:
                poll(functools.partial(deliveries, plain, ref), _all_delivered)
            records = [plain.get(f"/epayment/v1/payments/{ref}/events",
                                 headers=(demo if ref in refs[:2] else other).headers()).text for ref in refs]
            records += [plain.get("/_kasse/webhooks/deliveries", params={"limit": 1000}).text]
        # the demo unit's credentials are public (the README and `kasse serve` print them); a new unit's are not
        secrets = {
            "client secret": [other.creds.client_secret],
            "subscription key": [other.creds.subscription_key],
            "access token": [demo.token, other.token],
            "webhook secret": [h["secret"] for h in hooks],
            "token-signing secret": [(tmp_path / "kasse-signing.key").read_text().strip()],
        }
        _refusals(client, [s for group in secrets.values() for s in group], demo)
    finally:
        server.stop()
    problems = [r.text for r in client.responses if r.status_code >= 400]
    received = [repr(r.headers) + r.body.decode() for r in receiver.received]
    tables = _stored_text(server.database)
    places = {"server log": server.log.read_text(), "event log and deliveries": "\n".join(records),
              "problem responses": "\n".join(problems), "webhook requests": "\n".join(received),
              **{f"table {t}": text for t, text in tables.items()}}

    leaks = [f"{kind} in {place}" for kind, values in secrets.items() for value in values
             for place, text in places.items() if value in text]

    assert len(problems) >= 5 and received and records and tables["payment_events"] and tables["webhook_deliveries"]
    assert leaks == [], "\n".join(leaks)
