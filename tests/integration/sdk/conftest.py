"""Fixtures for SDK tests against a real `kasse serve` process, and probes for APIs not served yet."""

from __future__ import annotations

import functools
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kasse.sdk import AsyncClient, Client
from tests.harness import DEMO_CREDENTIALS, Credentials, ServerProcess, in_process
from tests.unit.sdk.fakes import FakeClock

# one unauthenticated request per API: a served route answers 401, a missing one 404
PROBES: dict[str, tuple[str, str]] = {
    "webhooks": ("GET", "/webhooks/v1/webhooks"),
    "qr": ("GET", "/qr/v1/merchant-redirect"),
    "order-management": ("GET", "/order-management/v2/ECOM/probe-order-1"),
}


@functools.cache
def missing_apis() -> frozenset[str]:
    """Return the APIs whose routes this checkout's kasse does not serve (probed once, in process)."""
    with tempfile.TemporaryDirectory() as tmp:
        for kasse in in_process(Path(tmp)):
            statuses = {api: kasse.client.request(method, path).status_code for api, (method, path) in PROBES.items()}
    return frozenset(api for api, status in statuses.items() if status == 404)


def requires(api: str) -> pytest.MarkDecorator:
    """Skip a test module while kasse does not serve `api` yet (being built in the same tree)."""
    return pytest.mark.skipif(api in missing_apis(), reason=f"kasse does not serve the {api} API yet")


def new_reference(prefix: str = "sdk") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def sdk_options(creds: Credentials) -> dict[str, Any]:
    return {"client_id": creds.client_id, "client_secret": creds.client_secret,
            "subscription_key": creds.subscription_key, "merchant_serial_number": creds.msn}


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real `kasse serve` process for the SDK's live tests; every test uses fresh references."""
    proc = ServerProcess(tmp_path_factory.mktemp("sdk-live") / "kasse.db").start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture
def clock() -> FakeClock:
    """Waits (retries, polling) take no real time: the fake clock, starting at the real time, jumps instead."""
    return FakeClock(time.time())


@pytest.fixture
def client(live: ServerProcess, clock: FakeClock) -> Iterator[Client]:
    with Client(**sdk_options(DEMO_CREDENTIALS), base_url=live.url, sleep=clock.sleep, clock=clock,
                system_name="kasse-tests", system_version="1") as sdk:
        yield sdk


def async_client(live: ServerProcess, clock: FakeClock, creds: Credentials = DEMO_CREDENTIALS) -> AsyncClient:
    return AsyncClient(**sdk_options(creds), base_url=live.url, sleep=clock.async_sleep, clock=clock)


def new_merchant(live: ServerProcess, **spec: Any) -> Credentials:
    """A fresh sales unit made through the test control plane."""
    made = httpx.post(f"{live.url}/_kasse/merchants", json=spec, timeout=10)
    assert made.status_code == 201, made.text
    m = made.json()
    return Credentials(m["msn"], m["clientId"], m["clientSecret"], m["subscriptionKey"])
