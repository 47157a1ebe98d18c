"""Oversized and deeply nested bodies are refused cleanly, on the hot routes and the FastAPI routes alike.

The limit (64 KiB, docs/decisions.md "Request bodies") is checked against Content-Length before the
body is read and counted while a chunked body arrives; nesting is left to pydantic's depth limit.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from kasse.api.request_limits import MAX_BODY
from tests.harness import InProcessKasse, assert_problem, create_body, new_reference, shared_kasse
from tests.integration.security.routes import Endpoint, merchant_endpoints

shared = shared_kasse("bodies", rate_limits=False)

NESTED = b"[" * 10_000 + b"]" * 10_000


def _writes(k: InProcessKasse) -> list[Endpoint]:
    return [e for e in merchant_endpoints(k.client.app) if e.method in ("POST", "PUT")]


def _padded_create(reference: str, size: int) -> bytes:
    body = json.dumps(create_body(reference)).encode()
    return body + b" " * (size - len(body))  # still valid JSON: trailing whitespace


def _post(k: InProcessKasse, endpoint: Endpoint, content: bytes | Iterator[bytes], **extra: str) -> httpx.Response:
    headers = k.demo.headers(idempotency_key=new_reference("key"), **{"Content-Type": "application/json"}, **extra)
    r: httpx.Response = k.client.request(endpoint.method, endpoint.url(), content=content, headers=headers)
    return r


def test_an_oversized_body_is_413_on_every_merchant_write(shared: InProcessKasse) -> None:
    too_big = b'{"x": "' + b"a" * MAX_BODY + b'"}'

    wrong = {}
    for endpoint in _writes(shared):
        r = _post(shared, endpoint, too_big)
        try:
            assert_problem(r, 413)
        except AssertionError:
            wrong[str(endpoint)] = (r.status_code, r.text[:200])

    assert wrong == {}


def test_a_body_of_exactly_the_limit_is_read(shared: InProcessKasse) -> None:
    ref = new_reference()

    r = _post(shared, Endpoint("POST", "/epayment/v1/payments"), _padded_create(ref, MAX_BODY))

    assert r.status_code == 201, r.text
    assert shared.demo.get(ref).status_code == 200


def test_an_oversized_create_writes_no_payment(shared: InProcessKasse) -> None:
    ref = new_reference()

    r = _post(shared, Endpoint("POST", "/epayment/v1/payments"), _padded_create(ref, MAX_BODY + 1))

    assert_problem(r, 413)
    assert shared.demo.get(ref).status_code == 404


def test_a_chunked_body_is_counted_as_it_arrives(shared: InProcessKasse) -> None:
    ref = new_reference()
    whole = _padded_create(ref, MAX_BODY + 1024)
    chunks = iter([whole[i:i + 4096] for i in range(0, len(whole), 4096)])

    r = _post(shared, Endpoint("POST", "/epayment/v1/payments"), chunks)

    assert_problem(r, 413)
    assert shared.demo.get(ref).status_code == 404


def _asgi_post(k: InProcessKasse, path: str, headers: dict[str, str], chunk: bytes) -> tuple[int, int]:
    """Send a body of 100 chunks straight to the ASGI app; return the status and how many chunks it read."""
    read = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": read < 100}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 5000),
             "headers": [(n.lower().encode(), v.encode()) for n, v in headers.items()]}
    app: Any = k.client.app
    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], read


@pytest.mark.parametrize("path", ["/epayment/v1/payments", "/webhooks/v1/webhooks"])
def test_a_declared_oversized_body_is_refused_before_it_is_read(shared: InProcessKasse, path: str) -> None:
    headers = shared.demo.headers(idempotency_key=new_reference("key"),
                                  **{"Content-Type": "application/json", "Content-Length": str(10**9)})

    status, read = _asgi_post(shared, path, headers, b" " * 65536)

    assert (status, read) == (413, 0)


@pytest.mark.parametrize("path", ["/epayment/v1/payments", "/webhooks/v1/webhooks"])
def test_a_long_chunked_body_is_cut_off_at_the_limit(shared: InProcessKasse, path: str) -> None:
    headers = shared.demo.headers(idempotency_key=new_reference("key"), **{"Content-Type": "application/json"})

    status, read = _asgi_post(shared, path, headers, b" " * 4096)

    assert status == 413
    assert read == MAX_BODY // 4096 + 1


def test_deeply_nested_json_is_a_400_on_every_merchant_write(shared: InProcessKasse) -> None:
    wrong = {}
    for endpoint in _writes(shared):
        r = _post(shared, endpoint, NESTED)
        problem = r.json() if r.headers.get("content-type", "").endswith("json") else {}
        if r.status_code != 400 or problem.get("status") != 400:
            wrong[str(endpoint)] = (r.status_code, r.text[:200])

    assert wrong == {}


def test_deeply_nested_json_inside_a_create_writes_no_payment(shared: InProcessKasse) -> None:
    ref = new_reference()
    body = json.dumps(create_body(ref, metadata={"k": "v"})).encode().replace(b'"v"', NESTED)

    r = _post(shared, Endpoint("POST", "/epayment/v1/payments"), body)

    assert_problem(r, 400)
    assert shared.demo.get(ref).status_code == 404
