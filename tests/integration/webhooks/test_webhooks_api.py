"""Webhooks API v1 management (contract §8.1): register, list, delete, validation, limits, isolation."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kasse.domain.webhook_registration import CHECKED_IN, EVENT_TYPES, PAYMENT_EVENTS
from tests.harness import ApiSession, InProcessKasse, in_process
from tests.integration.webhook_spec import WEBHOOKS, assert_schema

URL = "http://127.0.0.1:9999/webhooks"
CREATED, AUTHORIZED = PAYMENT_EVENTS[0], PAYMENT_EVENTS[1]


def register(session: ApiSession, body: Any) -> httpx.Response:
    r: httpx.Response = session.client.post("/webhooks/v1/webhooks", json=body, headers=session.headers())
    return r


def listed(session: ApiSession) -> list[dict[str, Any]]:
    r = session.client.get("/webhooks/v1/webhooks", headers=session.headers())
    assert r.status_code == 200, r.text
    assert_schema(r.json(), WEBHOOKS, "QueryResponse")
    found: list[dict[str, Any]] = r.json()["webhooks"]
    return found


def delete(session: ApiSession, webhook_id: str) -> httpx.Response:
    r: httpx.Response = session.client.delete(f"/webhooks/v1/webhooks/{webhook_id}", headers=session.headers())
    return r


def assert_bad_request(r: httpx.Response, field: str, detail_has: str = "") -> dict[str, Any]:
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert_schema(body, WEBHOOKS, "ProblemDetails")
    assert body["instance"].startswith("/webhooks/v1/webhooks")
    assert field in {d["name"] for d in body["extraDetails"]}, body
    assert detail_has in body["detail"], body
    return body


def test_a_registration_is_created_listed_without_its_secret_and_deleted(kasse: InProcessKasse) -> None:
    created = register(kasse.demo, {"url": URL, "events": [CREATED, AUTHORIZED]})

    assert created.status_code == 201, created.text
    assert_schema(created.json(), WEBHOOKS, "RegisterResponse")
    webhook_id, secret = created.json()["id"], created.json()["secret"]
    assert uuid.UUID(webhook_id).version == 4
    assert len(secret) >= 40  # 256 random bits, URL-safe base64
    assert listed(kasse.demo) == [{"id": webhook_id, "url": URL, "events": [CREATED, AUTHORIZED]}]
    assert delete(kasse.demo, webhook_id).status_code == 204
    assert listed(kasse.demo) == []


def test_every_registration_gets_its_own_secret(kasse: InProcessKasse) -> None:
    secrets = {register(kasse.demo, {"url": URL, "events": [CREATED]}).json()["secret"] for _ in range(3)}

    assert len(secrets) == 3


def test_the_merchant_serial_number_header_is_optional(kasse: InProcessKasse) -> None:
    headers = kasse.demo.headers()
    del headers["Merchant-Serial-Number"]

    r = kasse.client.post("/webhooks/v1/webhooks", json={"url": URL, "events": [CREATED]}, headers=headers)

    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": [CREATED]}, "url"),
        ({"url": URL}, "events"),
        ({"url": 42, "events": [CREATED]}, "url"),
        ({"url": URL, "events": CREATED}, "events"),
        ({"url": URL, "events": ["epayments.payment.created.v2"]}, "events"),
        ({"url": "http://pos.example.com/hook", "events": [CREATED]}, "url"),
    ],
)
def test_bad_registrations_are_400_problems_naming_the_field(kasse: InProcessKasse, body: Any, field: str) -> None:
    assert_bad_request(register(kasse.demo, body), field)
    assert listed(kasse.demo) == []


def test_an_empty_body_is_a_400_problem(kasse: InProcessKasse) -> None:
    r = kasse.client.post("/webhooks/v1/webhooks", content=b"", headers=kasse.demo.headers())

    assert_bad_request(r, "body")


def test_user_checked_in_takes_one_registration_per_sales_unit(kasse: InProcessKasse) -> None:
    assert register(kasse.demo, {"url": URL, "events": [CHECKED_IN]}).status_code == 201

    refused = register(kasse.demo, {"url": URL, "events": list(EVENT_TYPES)})

    assert_bad_request(refused, "events", "limit is 1")


def test_a_sales_unit_sees_and_deletes_only_its_own_registrations(kasse: InProcessKasse) -> None:
    other = kasse.session(kasse.demo.new_merchant())
    mine = register(kasse.demo, {"url": URL, "events": [CREATED]}).json()["id"]

    assert listed(other) == []
    missing = delete(other, mine)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert [w["id"] for w in listed(kasse.demo)] == [mine]


def test_deleting_an_unknown_or_malformed_id(kasse: InProcessKasse) -> None:
    assert delete(kasse.demo, str(uuid.uuid4())).status_code == 404
    assert_bad_request(delete(kasse.demo, "not-a-uuid"), "id")


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_the_webhooks_api_needs_a_token(kasse: InProcessKasse, method: str) -> None:
    path = "/webhooks/v1/webhooks" + (f"/{uuid.uuid4()}" if method == "delete" else "")

    r = kasse.client.request(method.upper(), path, json={"url": URL, "events": [CREATED]})

    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")


@pytest.fixture
def production(tmp_path: Path) -> Iterator[InProcessKasse]:
    yield from in_process(tmp_path, production=True)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("https://pos.example.com/hooks", 201),
        ("http://127.0.0.1:9999/hooks", 400),
    ],
)
def test_production_accepts_only_https_on_common_ports(production: InProcessKasse, url: str, status: int) -> None:
    assert register(production.demo, {"url": url, "events": [CREATED]}).status_code == status


def test_the_delivery_control_routes_are_absent_in_production(production: InProcessKasse) -> None:
    for method, path in [("GET", "/_kasse/webhooks"), ("GET", "/_kasse/webhooks/deliveries"),
                         ("POST", "/_kasse/webhooks/deliveries/1/redeliver"), ("GET", "/_kasse/events/stream")]:
        assert production.client.request(method, path, params={"msn": "123456"}).status_code == 404
