"""Every route kasse serves holds bodies to its rule (api/request_limits.py, docs/security.md): 64 KiB unless the
one table says otherwise, refused before reading when declared, cut off when chunked, 408 when too slow.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import logging
import re
import resource
from typing import Any

import pytest
import segno

from kasse.api.request_limits import BODY_RULES, DEFAULT_RULE, MAX_BODY, BodyRule, RequestLimits
from tests.harness import InProcessKasse, new_reference, shared_kasse
from tests.integration.security.asgi import call
from tests.integration.security.routes import PATH_VALUES, Endpoint, every_endpoint

shared = shared_kasse("request-limits", rate_limits=False)
CSRF = "c" * 43

SCAN = BODY_RULES["POST", "/wallet/scan"]
# one route of each group that reads its body, with what it needs to get that far
GROUPS = {
    "ePayment API": ("POST", "/epayment/v1/payments", True),
    "Webhooks API": ("POST", "/webhooks/v1/webhooks", True),
    "QR API": ("POST", "/qr/v1/merchant-redirect", True),
    "POS": ("POST", "/pos/api/terminals/till-1/cart", False),
    "POS webhook receiver": ("POST", "/pos/webhooks", False),
    "wallet": ("POST", "/wallet/login", False),  # a form: sent as one below
    "control plane": ("POST", "/_kasse/clock/set", False),
}


def _headers(k: InProcessKasse, merchant: bool, **extra: str) -> dict[str, str]:
    base = k.demo.headers(idempotency_key=new_reference("key")) if merchant else {}
    page = {"Cookie": f"kasse_csrf={CSRF}", "X-CSRF-Token": CSRF}  # what a page of kasse's own sends (api/csrf.py)
    return {**base, **page, "Content-Type": "application/json", **extra}


def _routes(k: InProcessKasse) -> list[Endpoint]:
    return every_endpoint(k.client.app)


def _url(endpoint: Endpoint) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m[1], "x"), endpoint.path)


def test_a_declared_oversized_body_is_refused_before_the_application_runs_on_every_route(
    shared: InProcessKasse,
) -> None:
    wrong = {}
    for endpoint in _routes(shared):
        limit = BODY_RULES.get((endpoint.method, endpoint.path), DEFAULT_RULE).limit
        headers = _headers(shared, endpoint.merchant, **{"Content-Length": str(limit + 1)})

        done = asyncio.run(call(shared.client.app, endpoint.method, _url(endpoint), headers, [b" " * 4096] * 100))

        if (done.status, done.parts_read, done.headers.get("connection")) != (413, 0, "close"):
            wrong[str(endpoint)] = (done.status, done.parts_read)

    assert wrong == {}


@pytest.mark.parametrize("group", GROUPS)
def test_a_chunked_body_is_cut_off_at_the_limit_in_every_route_group(shared: InProcessKasse, group: str) -> None:
    method, path, merchant = GROUPS[group]

    form = {"Content-Type": "application/x-www-form-urlencoded"} if path.startswith("/wallet") else {}
    if path.startswith("/qr/"):
        form = {"Accept": "image/png"}  # the redirect QRs require it, and check it before reading the body

    done = asyncio.run(call(shared.client.app, method, path, _headers(shared, merchant, **form), [b"a" * 4096] * 100))

    assert done.status == 413
    assert done.parts_read == MAX_BODY // 4096 + 1
    assert done.headers["content-type"] == "application/problem+json"


def test_a_400_mb_body_costs_one_chunk_of_memory(shared: InProcessKasse) -> None:
    chunk = b"0" * (1 << 20)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    done = asyncio.run(call(shared.client.app, "POST", "/pos/webhooks", _headers(shared, False),
                            itertools.repeat(chunk, 400)))

    assert (done.status, done.parts_read) == (413, 1)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # KiB: no 400 MB buffered


def test_a_body_that_does_not_arrive_in_time_gets_408_and_one_line(shared: InProcessKasse,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    inner = shared.client.app.middleware_stack.app  # the app's own stack without its RequestLimits: one layer
    impatient = RequestLimits(inner, default=BodyRule(MAX_BODY, 0.2))
    caplog.set_level(logging.DEBUG, logger="kasse.http")

    done = asyncio.run(call(impatient, "POST", "/pos/webhooks", _headers(shared, False), [b"{"], stall=True))

    assert done.status == 408
    assert done.headers["connection"] == "close"
    assert [r.getMessage() for r in caplog.records if r.name == "kasse.http"] == [
        "POST /pos/webhooks refused with 408: The body did not arrive within 0.2 seconds"]


def test_the_real_deadline_is_a_few_seconds() -> None:
    assert 1.0 <= DEFAULT_RULE.deadline <= 10.0


def _photo_of(content: str, padding: int) -> bytes:
    out = io.BytesIO()
    segno.make(content, error="m").save(out, kind="png", scale=10)
    return out.getvalue() + b"\0" * padding  # bytes after PNG's IEND are ignored by every reader


def _upload(k: InProcessKasse, photo: bytes) -> int:
    k.client.post("/wallet/login", data={"msisdn": "4712345678"}, follow_redirects=False)
    r = k.client.post("/wallet/scan", files={"image": ("qr.png", photo, "image/png")}, follow_redirects=False)
    return r.status_code


def test_the_wallet_scanner_takes_a_photo_over_64_kib(shared: InProcessKasse) -> None:
    photo = _photo_of("https://example.com/not-a-kasse-qr", 2 * MAX_BODY)

    status = _upload(shared, photo)

    assert status == 303  # read and decoded: a 413 would be the limit refusing it


def test_the_wallet_scanner_refuses_a_photo_over_its_own_limit(shared: InProcessKasse) -> None:
    photo = _photo_of("https://example.com/not-a-kasse-qr", SCAN.limit)

    status = _upload(shared, photo)

    assert status == 413


async def _slow_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An application that works a while before it reads (or, for a live stream, polls for a disconnect)."""
    await asyncio.sleep(0.3)
    message = await receive()
    status = 200 if message["type"] == "http.request" else 499
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@pytest.mark.parametrize(("method", "parts"), [("GET", [b""]), ("POST", [b'{"a": 1}'])])
def test_the_deadline_is_the_clients_not_the_applications(method: str, parts: list[bytes]) -> None:
    impatient = RequestLimits(_slow_app, default=BodyRule(MAX_BODY, 0.1))
    headers = {"Content-Length": str(len(parts[0]))} if method == "POST" else {}

    done = asyncio.run(call(impatient, method, "/x", headers, parts))

    assert done.status == 200
