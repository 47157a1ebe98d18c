"""`Client.for_accounting_partner` / `AsyncClient.for_accounting_partner`: a `/miami/v1/token` login that reads reports.

Against an in-process kasse: the partner sees only the ledgers granted to it, its token request is the
OAuth2 client-credentials form with Basic authorization and no subscription key, and any call outside the
Report API is refused before it is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kasse.sdk import AsyncClient, AuthenticationError, Client, PermissionDeniedError
from tests.harness import InProcessKasse, authorized, in_process
from tests.integration.report_support import new_partner

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def kasse(tmp_path: Path) -> Iterator[InProcessKasse]:
    yield from in_process(tmp_path)


class Recorder(httpx.BaseTransport):
    """Passes requests to the in-process kasse and keeps them."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return self.inner.handle_request(request)


def granted_partner(kasse: InProcessKasse) -> tuple[str, str, str]:
    """A partner granted the demo unit's ledger, another unit's ledger left ungranted."""
    kasse.demo.new_merchant(market="DK")
    partner_id, client_id, secret = new_partner(kasse)
    r = kasse.client.post(f"/_kasse/partners/{partner_id}/grants", json={"msn": "123456"})
    assert r.status_code == 201, r.text
    return partner_id, client_id, secret


def test_a_partner_client_logs_in_at_miami_and_reads_only_granted_ledgers(kasse: InProcessKasse) -> None:
    _, client_id, secret = granted_partner(kasse)
    ref = authorized(kasse.demo, 10000)
    assert kasse.demo.modify(ref, "capture", 10000).status_code == 200
    recorder = Recorder(kasse.client._transport)

    with Client.for_accounting_partner(client_id=client_id, client_secret=secret, base_url=BASE,
                                       transport=recorder) as client:
        ledgers = client.reports.ledgers()
        entries = list(client.reports.feed(ledgers[0], "funds"))

    assert [ledger.settles_for_recipient_handles for ledger in ledgers] == [("api:123456",)]
    assert [(e.entry_type, e.reference) for e in entries] == [("capture", ref)]
    login = recorder.sent[0]
    assert (login.method, login.url.path) == ("POST", "/miami/v1/token")
    assert login.headers["authorization"].startswith("Basic ") and login.content == b"grant_type=client_credentials"
    assert all("ocp-apim-subscription-key" not in r.headers for r in recorder.sent)
    assert [r.url.path for r in recorder.sent].count("/miami/v1/token") == 1  # one token for every call


def test_a_partner_client_refuses_payments_without_sending_them(kasse: InProcessKasse) -> None:
    _, client_id, secret = granted_partner(kasse)
    recorder = Recorder(kasse.client._transport)

    with Client.for_accounting_partner(client_id=client_id, client_secret=secret, base_url=BASE,
                                       transport=recorder) as client, pytest.raises(PermissionDeniedError):
        client.payments.get("order-1001")

    assert recorder.sent == []


def test_wrong_partner_credentials_are_an_authentication_error(kasse: InProcessKasse) -> None:
    _, client_id, _ = granted_partner(kasse)

    with Client.for_accounting_partner(client_id=client_id, client_secret="wrong", base_url=BASE,
                                       transport=kasse.client._transport) as client, \
            pytest.raises(AuthenticationError):
        client.reports.ledgers()


def test_a_partner_client_needs_its_client_id_and_secret() -> None:
    with pytest.raises(ValueError, match="client_secret"):
        Client.for_accounting_partner(client_id="acct-1", client_secret="", base_url=BASE)


def test_the_async_partner_client_reads_the_same(kasse: InProcessKasse) -> None:
    _, client_id, secret = granted_partner(kasse)

    async def read() -> tuple[list[str], bool]:
        transport = httpx.ASGITransport(app=kasse.client.app)
        async with AsyncClient.for_accounting_partner(client_id=client_id, client_secret=secret, base_url=BASE,
                                                      transport=transport) as sdk:
            ledgers = await sdk.reports.ledgers()
            try:
                await sdk.webhooks.list()
            except PermissionDeniedError:
                refused = True
            else:
                refused = False
            return [ledger.ledger_id for ledger in ledgers], refused

    ids, refused = asyncio.run(read())

    assert len(ids) == 1 and refused
