"""One truth across processes (issue #17): the per-reference rate limits and the armed test faults with their
use counts are shared by every `kasse serve` process and every `kasse worker` on one PostgreSQL database.

Four `kasse serve --no-worker` processes (rate limits on) and one `kasse worker` share a private schema;
racing requests are spread over the four, so a count kept per process would let four times too many through.
Runs only when KASSE_TEST_DATABASE_URL names a PostgreSQL server.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.harness import (
    DEMO_CREDENTIALS,
    TEST_DATABASE_URL,
    ApiSession,
    ServerProcess,
    create_body,
    new_reference,
    schema_url,
)
from tests.integration.webhook_receiver import deliveries, http_client, poll, receiving, register

pytestmark = pytest.mark.slow
postgres = pytest.mark.postgres  # skipped unless KASSE_TEST_DATABASE_URL is set (tests/conftest.py)

SERVERS = 4
Call = tuple[str, str, str, bytes | None, dict[str, str]]  # method, base URL, path, body, headers


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ApiSession]]:
    if TEST_DATABASE_URL is None:
        pytest.skip("KASSE_TEST_DATABASE_URL is not set")
    home = Path(tmp_path_factory.mktemp("pg-shared"))
    env = {"KASSE_DATABASE_URL": schema_url(str(home)), "KASSE_RATE_LIMITS": "1"}
    procs: list[ServerProcess] = []
    clients: list[httpx.Client] = []
    worker: subprocess.Popen[bytes] | None = None
    try:
        for i in range(SERVERS):  # none of them delivers webhooks: only the separate worker does
            procs.append(ServerProcess(home / f"server{i}.db", env=env, args=("--no-worker",)).start())
        worker = subprocess.Popen([sys.executable, "-m", "kasse", "worker"], env=procs[0].env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        clients = [http_client(p.url) for p in procs]
        yield [ApiSession(c, DEMO_CREDENTIALS) for c in clients]
    finally:
        for client in clients:
            client.close()
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)
        for proc in procs:
            proc.stop()


def race(calls: list[Call]) -> list[httpx.Response]:
    """Send every call at once, each on its own connection; answers in order."""

    async def run() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=len(calls), max_keepalive_connections=len(calls))
        async with httpx.AsyncClient(limits=limits, timeout=30.0, trust_env=False) as client:
            return await asyncio.gather(*(client.request(method, base + path, content=body, headers=headers)
                                          for method, base, path, body, headers in calls))

    return asyncio.run(run())


def _base(session: ApiSession) -> str:
    return str(session.client.base_url)


def _authorized(session: ApiSession, value: int) -> str:
    ref = new_reference("pg-lim")
    assert session.create(create_body(ref, value)).status_code == 201
    assert session.approve(ref).status_code == 200
    return ref


def _captures(servers: list[ApiSession], ref: str, n: int) -> list[Call]:
    body = json.dumps({"modificationAmount": {"currency": "NOK", "value": 100}}).encode()
    return [("POST", _base(s), f"/epayment/v1/payments/{ref}/capture", body,
             s.headers(uuid.uuid4().hex, **{"Content-Type": "application/json"}))
            for s in (servers[i % len(servers)] for i in range(n))]


def _gets(servers: list[ApiSession], ref: str, n: int) -> list[Call]:
    return [("GET", _base(s), f"/epayment/v1/payments/{ref}", None, s.headers())
            for s in (servers[i % len(servers)] for i in range(n))]


@postgres
def test_exactly_five_writes_of_a_reference_pass_in_a_minute_across_four_processes(servers: list[ApiSession]) -> None:
    ref = _authorized(servers[0], 100_000)

    answers = race(_captures(servers, ref, 20))

    assert Counter(r.status_code for r in answers) == {200: 5, 429: 15}
    assert all(1 <= int(r.headers["retry-after"]) <= 60 for r in answers if r.status_code == 429)
    assert servers[3].get(ref).json()["aggregate"]["capturedAmount"]["value"] == 500


@postgres
def test_exactly_120_reads_of_a_reference_pass_in_a_minute_across_four_processes(servers: list[ApiSession]) -> None:
    ref = _authorized(servers[1], 1000)

    answers = race(_gets(servers, ref, 130))

    assert Counter(r.status_code for r in answers) == {200: 120, 429: 10}


@postgres
def test_a_fault_armed_through_one_process_fires_in_the_others_and_its_times_are_shared(
    servers: list[ApiSession],
) -> None:
    ref = _authorized(servers[2], 1000)
    armed = servers[0].client.post("/_kasse/faults", json={"msn": DEMO_CREDENTIALS.msn, "kind": "api.500",
                                                           "endpoint": "get", "times": 3})
    assert armed.status_code == 201, armed.text

    answers = race(_gets(servers[1:], ref, 9))  # through the three processes that did not arm it

    assert Counter(r.status_code for r in answers) == {200: 6, 500: 3}
    assert all(armed.json()["id"] in r.json()["detail"] for r in answers if r.status_code == 500)
    for session in servers:  # used up, for every process
        assert session.client.get("/_kasse/faults", params={"msn": DEMO_CREDENTIALS.msn}).json() == {"faults": []}


@postgres
def test_a_fault_disarmed_through_one_process_no_longer_fires_in_another(servers: list[ApiSession]) -> None:
    ref = _authorized(servers[0], 1000)
    fault = servers[1].client.post("/_kasse/faults", json={"msn": DEMO_CREDENTIALS.msn, "kind": "api.423",
                                                           "endpoint": "get"}).json()
    assert servers[2].get(ref).status_code == 423

    assert servers[3].client.delete(f"/_kasse/faults/{fault['id']}").status_code == 204

    assert [servers[2].get(ref).status_code for _ in range(3)] == [200, 200, 200]


@postgres
def test_a_webhook_fault_armed_through_a_server_is_applied_by_the_separate_worker(servers: list[ApiSession]) -> None:
    with receiving() as receiver:
        register(servers[0], receiver.url(), ["epayments.payment.created.v1"])
        armed = servers[1].client.post("/_kasse/faults", json={"msn": DEMO_CREDENTIALS.msn, "kind": "webhook.drop",
                                                               "times": 1})
        assert armed.status_code == 201
        dropped, sent = new_reference("pg-drop"), new_reference("pg-sent")

        assert servers[2].create(create_body(dropped)).status_code == 201
        first = poll(lambda: deliveries(servers[3].client, dropped), lambda ds: ds and ds[0]["state"] == "DELIVERED")
        assert servers[3].create(create_body(sent)).status_code == 201
        receiver.wait_for(lambda got: any(p.json.get("reference") == sent for p in got), timeout=15)

    assert armed.json()["id"] in first[0]["attempts"][0]["error"]
    assert receiver.names(dropped) == []
    assert receiver.names(sent) == ["CREATED"]
