"""Several kasse processes on one PostgreSQL database (issue #7): racing requests through different
processes settle as they do in one process, and webhook workers of every process claim each delivery once.

Runs only when KASSE_TEST_DATABASE_URL names a PostgreSQL server (`make test` sets it when one answers):
four `kasse serve` processes and two `kasse worker` processes share one private schema.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from kasse.cli import main
from tests.harness import (
    DEMO_CREDENTIALS,
    TEST_DATABASE_URL,
    ApiSession,
    ServerProcess,
    create_body,
    new_reference,
    schema_url,
)
from tests.integration.webhook_receiver import http_client, receiving, register

pytestmark = pytest.mark.slow
postgres = pytest.mark.postgres  # skipped unless KASSE_TEST_DATABASE_URL is set (tests/conftest.py)

SERVERS = 4
WORKERS = 2


@dataclass
class Cluster:
    servers: list[ServerProcess]
    sessions: list[ApiSession]

    def urls(self) -> list[str]:
        return [s.url for s in self.servers]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if TEST_DATABASE_URL is None:
        pytest.skip("KASSE_TEST_DATABASE_URL is not set")
    home = Path(tmp_path_factory.mktemp("pg-cluster"))
    env = {"KASSE_DATABASE_URL": schema_url(str(home)), "KASSE_RATE_LIMITS": "0"}
    servers: list[ServerProcess] = []
    workers: list[subprocess.Popen[bytes]] = []
    clients: list[httpx.Client] = []
    try:
        for i in range(SERVERS):
            servers.append(ServerProcess(home / f"server{i}.db", env=env).start())
        for _ in range(WORKERS):
            workers.append(subprocess.Popen([sys.executable, "-m", "kasse", "worker"], env=servers[0].env,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        clients = [http_client(s.url) for s in servers]
        yield Cluster(servers, [ApiSession(c, DEMO_CREDENTIALS) for c in clients])
    finally:
        for client in clients:
            client.close()
        for proc in workers:
            proc.terminate()
            proc.wait(timeout=10)
        for server in servers:
            server.stop()


Request = tuple[str, str, bytes, dict[str, str]]  # base URL, path, body, headers


def fire(requests: list[Request]) -> list[httpx.Response]:
    """POST every request at once, each on its own connection to its own server; answers in order."""

    async def run() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=len(requests))
        async with httpx.AsyncClient(limits=limits, timeout=30.0, trust_env=False) as client:
            return await asyncio.gather(*(client.post(base + path, content=body, headers=headers)
                                          for base, path, body, headers in requests))

    return asyncio.run(run())


def _headers(session: ApiSession, key: str) -> dict[str, str]:
    return session.headers(key, **{"Content-Type": "application/json"})


def _error_code(r: httpx.Response) -> str | None:
    return next((d["reason"] for d in r.json().get("extraDetails") or [] if d["name"] == "ErrorCode"), None)


def _spread(cluster: Cluster, n: int) -> list[tuple[str, ApiSession]]:
    """Return n (server URL, session) pairs, round robin over the servers."""
    return [(cluster.servers[i % SERVERS].url, cluster.sessions[i % SERVERS]) for i in range(n)]


def _authorized(session: ApiSession, value: int) -> str:
    ref = new_reference("pg")
    assert session.create(create_body(ref, value)).status_code == 201
    assert session.approve(ref).status_code == 200
    return ref


def _capture(ref: str, value: int) -> tuple[str, bytes]:
    return f"/epayment/v1/payments/{ref}/capture", json.dumps({"modificationAmount": {"currency": "NOK",
                                                                                        "value": value}}).encode()


@postgres
def test_one_idempotency_key_through_four_processes_makes_one_payment(cluster: Cluster) -> None:
    ref, key = new_reference("pg"), uuid.uuid4().hex
    body = json.dumps(create_body(ref, 10000)).encode()

    answers = fire([(url, "/epayment/v1/payments", body, _headers(s, key)) for url, s in _spread(cluster, 40)])

    assert {(r.status_code, r.content) for r in answers} == {(201, answers[0].content)}
    for session in cluster.sessions:  # every process reads the same single payment
        assert [e["name"] for e in session.events(ref).json()] == ["CREATED"]


@postgres
def test_one_reference_through_four_processes_makes_one_payment(cluster: Cluster) -> None:
    ref = new_reference("pg")
    requests = [(url, "/epayment/v1/payments", json.dumps(create_body(ref, 10000 + i * 100)).encode(),
                 _headers(s, uuid.uuid4().hex)) for i, (url, s) in enumerate(_spread(cluster, 40))]

    answers = fire(requests)

    assert Counter(r.status_code for r in answers) == {201: 1, 409: 39}
    assert {_error_code(r) for r in answers if r.status_code == 409} == {"4150"}
    winner = next(i for i, r in enumerate(answers) if r.status_code == 201)
    assert cluster.sessions[3].get(ref).json()["amount"]["value"] == 10000 + winner * 100


@postgres
def test_captures_through_four_processes_never_take_more_than_reserved(cluster: Cluster) -> None:
    ref = _authorized(cluster.sessions[0], 10000)
    path, body = _capture(ref, 1000)

    answers = fire([(url, path, body, _headers(s, uuid.uuid4().hex)) for url, s in _spread(cluster, 32)])

    ok = [r for r in answers if r.status_code == 200]
    assert len(ok) == 10
    assert {r.status_code for r in answers if r.status_code != 200} == {400}
    # each success saw its own running total: no two captures in two processes read the same aggregate
    assert sorted(r.json()["aggregate"]["capturedAmount"]["value"] for r in ok) == list(range(1000, 10001, 1000))
    got = cluster.sessions[2].get(ref).json()["aggregate"]
    assert got["capturedAmount"]["value"] == 10000
    assert [e["name"] for e in cluster.sessions[1].events(ref).json()].count("CAPTURED") == 10


@postgres
def test_one_capture_key_through_four_processes_captures_once(cluster: Cluster) -> None:
    ref = _authorized(cluster.sessions[1], 10000)
    path, body = _capture(ref, 2500)

    answers = fire([(url, path, body, _headers(s, "one-key")) for url, s in _spread(cluster, 24)])

    assert {(r.status_code, r.content) for r in answers} == {(200, answers[0].content)}
    assert cluster.sessions[0].get(ref).json()["aggregate"]["capturedAmount"]["value"] == 2500


@postgres
def test_cancel_and_refunds_racing_captures_across_processes_stay_consistent(cluster: Cluster) -> None:
    ref = _authorized(cluster.sessions[2], 10000)
    path, body = _capture(ref, 1000)
    requests: list[Request] = [(url, path, body, _headers(s, uuid.uuid4().hex)) for url, s in _spread(cluster, 6)]
    url, session = _spread(cluster, 4)[3]
    requests.insert(3, (url, f"/epayment/v1/payments/{ref}/cancel", b"{}", _headers(session, uuid.uuid4().hex)))

    answers = fire(requests)

    cancel, captures = answers[3], answers[:3] + answers[4:]
    assert cancel.status_code == 200
    got = cluster.sessions[0].get(ref).json()["aggregate"]
    captured, cancelled = got["capturedAmount"]["value"], got["cancelledAmount"]["value"]
    assert captured + cancelled == 10000
    assert captured == 1000 * sum(r.status_code == 200 for r in captures)
    refund_path, refund_body = f"/epayment/v1/payments/{ref}/refund", json.dumps(
        {"modificationAmount": {"currency": "NOK", "value": 500}}).encode()
    refunds = fire([(u, refund_path, refund_body, _headers(s, uuid.uuid4().hex)) for u, s in _spread(cluster, 16)])
    assert sum(r.status_code == 200 for r in refunds) == captured // 500
    assert cluster.sessions[3].get(ref).json()["aggregate"]["refundedAmount"]["value"] == captured


@postgres
def test_six_delivery_loops_send_every_webhook_once_in_order(cluster: Cluster) -> None:
    with receiving() as receiver:
        register(cluster.sessions[0], receiver.url(), ["epayments.payment.created.v1",
                                                       "epayments.payment.authorized.v1"])
        refs = [new_reference("pg-hook") for _ in range(12)]
        for i, ref in enumerate(refs):
            session = cluster.sessions[i % SERVERS]
            assert session.create(create_body(ref)).status_code == 201
            assert session.approve(ref).status_code == 200

        receiver.wait_for(lambda got: len(got) >= 2 * len(refs), timeout=30)
        time.sleep(1.0)  # a second claim of one delivery would arrive by now
        for ref in refs:
            assert receiver.names(ref) == ["CREATED", "AUTHORIZED"]


@postgres
def test_an_event_committed_in_one_process_reaches_another_at_once(cluster: Cluster) -> None:
    """LISTEN/NOTIFY: a commit in one process wakes the delivery loops of all, not only after their poll."""
    with receiving() as receiver:
        register(cluster.sessions[1], receiver.url(), ["epayments.payment.created.v1"])
        ref = new_reference("pg-notify")
        started = time.monotonic()
        assert cluster.sessions[2].create(create_body(ref)).status_code == 201
        receiver.wait_for(lambda got: any(p.json.get("reference") == ref for p in got), timeout=10)
        assert time.monotonic() - started < 2.0


@postgres
def test_serve_with_three_workers_answers_and_never_overcaptures(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "kasse.db", env={"KASSE_RATE_LIMITS": "0"}, args=("--workers", "3")).start()
    try:
        with http_client(server.url) as client:
            session = ApiSession(client, DEMO_CREDENTIALS)
            ref = _authorized(session, 6000)
            path, body = _capture(ref, 1000)
            answers = fire([(server.url, path, body, _headers(session, uuid.uuid4().hex)) for _ in range(20)])
            assert sum(r.status_code == 200 for r in answers) == 6
            assert session.get(ref).json()["aggregate"]["capturedAmount"]["value"] == 6000
    finally:
        server.stop()


def test_serve_refuses_more_than_one_worker_on_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KASSE_DATABASE_URL", raising=False)
    result = CliRunner().invoke(main, ["serve", "--workers", "2", "--db", str(tmp_path / "kasse.db")])
    assert result.exit_code != 0
    assert "needs PostgreSQL" in result.output


