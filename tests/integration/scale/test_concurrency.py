"""Concurrent writes against a real `kasse serve` process (DESIGN: concurrent duplicates make one operation).

Each test fires its requests at once over separate connections from one asyncio client, so they
overlap inside the server. Rate limits are off: they would refuse the sixth call per reference.
"""

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.harness import DEMO_CREDENTIALS, ApiSession, ServerProcess, create_body, new_reference

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiSession]:
    server = ServerProcess(Path(tmp_path_factory.mktemp("concurrency")) / "kasse.db",
                           env={"KASSE_RATE_LIMITS": "0"}).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30.0) as client:
            yield ApiSession(client, DEMO_CREDENTIALS)
    finally:
        server.stop()


Request = tuple[str, bytes, dict[str, str]]


def fire(session: ApiSession, requests: list[Request]) -> list[httpx.Response]:
    """POST every request at once, each on its own connection; return the answers in order."""

    async def run() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=len(requests))
        async with httpx.AsyncClient(base_url=str(session.client.base_url), limits=limits, timeout=30.0) as client:
            return await asyncio.gather(*(client.post(path, content=body, headers=headers)
                                          for path, body, headers in requests))

    return asyncio.run(run())


def _json_headers(session: ApiSession, key: str) -> dict[str, str]:
    return session.headers(key, **{"Content-Type": "application/json"})


def _error_code(r: httpx.Response) -> str | None:
    return next((d["reason"] for d in r.json().get("extraDetails") or [] if d["name"] == "ErrorCode"), None)


def _authorized(session: ApiSession, value: int) -> str:
    ref = new_reference()
    assert session.create(create_body(ref, value)).status_code == 201
    assert session.approve(ref).status_code == 200
    return ref


def _captures(session: ApiSession, ref: str, value: int, keys: list[str]) -> list[Request]:
    body = json.dumps({"modificationAmount": {"currency": "NOK", "value": value}}).encode()
    return [(f"/epayment/v1/payments/{ref}/capture", body, _json_headers(session, key)) for key in keys]


def test_fifty_simultaneous_creates_with_one_key_make_one_payment(live: ApiSession) -> None:
    ref = new_reference()
    body = json.dumps(create_body(ref, 10000)).encode()
    key = uuid.uuid4().hex

    answers = fire(live, [("/epayment/v1/payments", body, _json_headers(live, key))] * 50)

    assert {(r.status_code, r.content) for r in answers} == {(201, answers[0].content)}
    assert answers[0].json()["reference"] == ref
    assert [e["name"] for e in live.events(ref).json()] == ["CREATED"]


def test_fifty_simultaneous_creates_of_one_reference_make_one_payment(live: ApiSession) -> None:
    ref = new_reference()
    requests = [("/epayment/v1/payments", json.dumps(create_body(ref, 10000 + i * 100)).encode(),
                 _json_headers(live, uuid.uuid4().hex)) for i in range(50)]

    answers = fire(live, requests)

    statuses = Counter(r.status_code for r in answers)
    assert statuses == {201: 1, 409: 49}
    assert {_error_code(r) for r in answers if r.status_code == 409} == {"4150"}
    winner = next(i for i, r in enumerate(answers) if r.status_code == 201)
    assert live.get(ref).json()["amount"]["value"] == 10000 + winner * 100
    assert [e["name"] for e in live.events(ref).json()] == ["CREATED"]


def test_thirty_simultaneous_captures_never_take_more_than_reserved(live: ApiSession) -> None:
    ref = _authorized(live, 10000)

    answers = fire(live, _captures(live, ref, 1000, [uuid.uuid4().hex for _ in range(30)]))

    ok = [r for r in answers if r.status_code == 200]
    refused = [r for r in answers if r.status_code != 200]
    assert len(ok) == 10
    assert {r.status_code for r in refused} == {400}
    assert {_error_code(r) for r in refused} <= {"6090", "6170"}
    # each success saw its own running total: no two captures read the same aggregate
    assert sorted(r.json()["aggregate"]["capturedAmount"]["value"] for r in ok) == list(range(1000, 10001, 1000))
    got = live.get(ref).json()["aggregate"]
    assert got["capturedAmount"]["value"] == got["authorizedAmount"]["value"] == 10000
    assert [e["name"] for e in live.events(ref).json()].count("CAPTURED") == 10


def test_thirty_simultaneous_captures_with_one_key_capture_once(live: ApiSession) -> None:
    ref = _authorized(live, 10000)

    answers = fire(live, _captures(live, ref, 1000, ["one-capture-key"] * 30))

    assert {(r.status_code, r.content) for r in answers} == {(200, answers[0].content)}
    assert live.get(ref).json()["aggregate"]["capturedAmount"]["value"] == 1000
    assert [e["name"] for e in live.events(ref).json()].count("CAPTURED") == 1


def test_a_cancel_racing_captures_leaves_a_consistent_aggregate(live: ApiSession) -> None:
    ref = _authorized(live, 10000)
    requests = _captures(live, ref, 1000, [uuid.uuid4().hex for _ in range(6)])
    requests.insert(3, (f"/epayment/v1/payments/{ref}/cancel", b"", live.headers()))

    answers = fire(live, requests)

    cancel, captures = answers[3], answers[:3] + answers[4:]
    got: dict[str, Any] = live.get(ref).json()["aggregate"]
    captured, cancelled = got["capturedAmount"]["value"], got["cancelledAmount"]["value"]
    assert cancel.status_code == 200  # at most 6000 of 10000 can be captured, so something is always left
    assert captured + cancelled == 10000
    assert captured == 1000 * sum(r.status_code == 200 for r in captures)
    assert {_error_code(r) for r in captures if r.status_code != 200} <= {"6070"}
    names = [e["name"] for e in live.events(ref).json()]
    assert names[-1] == "CANCELLED"  # nothing is captured after the rest was released
    assert names.count("CANCELLED") == 1
