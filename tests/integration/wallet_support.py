"""Helpers for the wallet, QR and Order Management integration tests: pushes, wallet actions, spec checks."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from tests.harness import ApiSession, create_body, new_reference
from tests.integration.webhook_spec import assert_schema

T = TypeVar("T")
KARI, OLA, EMMA, METTE = "4712345678", "4798765432", "4791234567", "4512345678"
QR_SPEC = "qr-v1.github-2024-10.yaml"
OM_SPEC = "order-management-v2.github-2025-06.yaml"
BASE = "http://127.0.0.1:8000"


def assert_qr_schema(body: Any, schema: str) -> None:
    assert_schema(body, QR_SPEC, schema)


def assert_om_schema(body: Any, schema: str) -> None:
    assert_schema(body, OM_SPEC, schema)


def push(session: ApiSession, customer: dict[str, str], value: int = 49900, **extra: Any) -> httpx.Response:
    """Create a PUSH_MESSAGE payment to a customer; return the create response."""
    body = create_body(new_reference(), value, userFlow="PUSH_MESSAGE", customer=customer,
                       customerInteraction="CUSTOMER_PRESENT", **extra)
    response: httpx.Response = session.create(body)
    return response


def pushed(session: ApiSession, msisdn: str = KARI, value: int = 49900, **extra: Any) -> str:
    """Push a payment to a wallet user; return its reference."""
    response = push(session, {"phoneNumber": msisdn}, value, **extra)
    assert response.status_code == 201, response.text
    reference: str = response.json()["reference"]
    return reference


def answer(client: Any, msisdn: str, reference: str, action: str = "approve", **body: Any) -> httpx.Response:
    response: httpx.Response = client.post(f"/_kasse/wallet/{msisdn}/payments/{reference}/{action}", json=body)
    return response


def scan(client: Any, msisdn: str, content: str) -> httpx.Response:
    response: httpx.Response = client.post(f"/_kasse/wallet/{msisdn}/scan", json={"content": content})
    return response


def behave(client: Any, msisdn: str, behaviour: str, delay: int = 0) -> None:
    r = client.put(f"/_kasse/users/{msisdn}/behaviour", json={"behaviour": behaviour, "delaySeconds": delay})
    assert r.status_code == 200, r.text


def state(session: ApiSession, reference: str) -> str:
    found: str = session.get(reference).json()["state"]
    return found


def event_names(session: ApiSession, reference: str) -> list[tuple[str, bool]]:
    return [(e["name"], e["success"]) for e in session.events(reference).json()]


def eventually(probe: Callable[[], T], accept: Callable[[T], bool], timeout: float = 10.0) -> T:
    """Return the first value of `probe` that `accept` takes: waits on the background loop, bounded."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if accept(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def qr_headers(session: ApiSession, **extra: str) -> dict[str, str]:
    return session.headers(**extra)
