"""Webhook delivery by separate processes on one PostgreSQL database (issue #7): a `kasse worker` killed with
deliveries in flight loses none of them, and a webhook registered through one process is delivered by another.

Runs only when KASSE_TEST_DATABASE_URL names a PostgreSQL server, like test_postgres_processes.py. A worker's
clock cannot be moved over HTTP (it serves none), so the killed worker's claims are outwaited for real: the
workers here run with a 3 s lease (KASSE_DELIVERY_LEASE, honoured only outside production mode).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from kasse.domain.webhook_registration import PAYMENT_EVENTS
from kasse.services.deliveries import LEASE
from kasse.settings import Settings
from kasse.workers.delivery import delivery_lease
from tests.harness import (
    DEMO_CREDENTIALS,
    TEST_DATABASE_URL,
    ApiSession,
    ServerProcess,
    create_body,
    new_reference,
    schema_url,
)
from tests.integration.webhook_receiver import Receiver, deliveries, http_client, poll, receiving, register

pytestmark = pytest.mark.slow
postgres = pytest.mark.postgres  # skipped unless KASSE_TEST_DATABASE_URL is set (tests/conftest.py)

PAYMENTS = 4
NAMES = ["CREATED", "AUTHORIZED", "CAPTURED"]  # the webhooks of create, approve and capture, in order


def _env(home: Path) -> dict[str, str]:
    assert TEST_DATABASE_URL is not None
    return {"KASSE_DATABASE_URL": schema_url(str(home)), "KASSE_RATE_LIMITS": "0", "KASSE_DELIVERY_LEASE": "3",
            "PYTHONUNBUFFERED": "1"}


class Worker:
    """A `kasse worker` process, its output in a log file; stopped when the `with` block ends."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "kasse", "worker"], env=env, stdout=out,
                                         stderr=subprocess.STDOUT)

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def wait_ready(self) -> None:
        """Return once it has opened the database and is about to start its loops."""
        poll(lambda: self.proc.poll() is None and "kasse worker: delivering" in self.log.read_text(),
             lambda ready: ready or self.proc.poll() is not None, timeout=30)
        assert self.proc.poll() is None, self.log.read_text()[-2000:]

    def kill(self) -> None:
        """SIGKILL: no shutdown grace, so its claims are never released and its sends never recorded."""
        self.proc.kill()
        self.proc.wait(timeout=10)


def _server(home: Path, name: str, *args: str, **env: str) -> ServerProcess:
    return ServerProcess(home / f"{name}.db", env={**_env(home), **env}, args=args)


@contextlib.contextmanager
def started(*procs: ServerProcess) -> Iterator[list[ServerProcess]]:
    """Start the `kasse serve` processes side by side; stop them (side by side) afterwards."""
    with ThreadPoolExecutor(len(procs)) as pool:
        try:
            list(pool.map(ServerProcess.start, procs))
            yield list(procs)
        finally:
            list(pool.map(ServerProcess.stop, procs))


def _pay(session: ApiSession, ref: str) -> None:
    assert session.create(create_body(ref, 10000)).status_code == 201
    assert session.approve(ref).status_code == 200
    assert session.modify(ref, "capture", 10000).status_code == 200


def _all_delivered(client: Any, refs: list[str]) -> list[dict[str, Any]]:
    """Wait until every delivery of these payments is final and delivered; return them with their attempts."""
    poll(lambda: [(d["id"], d["state"]) for ref in refs for d in deliveries(client, ref)],
         lambda ds: len(ds) == len(NAMES) * len(refs) and {state for _, state in ds} == {"DELIVERED"})
    return [d for ref in refs for d in deliveries(client, ref)]


def _psp(receiver: Receiver, ref: str) -> list[str]:
    return [p["pspReference"] for p in receiver.payloads(ref)]


@postgres
def test_a_worker_killed_mid_delivery_loses_nothing_the_other_worker_delivers_it(tmp_path: Path) -> None:
    server = _server(tmp_path, "server", "--no-worker")
    with (
        receiving() as receiver,
        Worker(server.env, tmp_path / "victim.log") as victim,
        started(server),
        http_client(server.url) as client,
    ):
        receiver.hold.clear()  # no request is answered until the victim is dead
        demo = ApiSession(client, DEMO_CREDENTIALS)
        hook = register(demo, receiver.url(), PAYMENT_EVENTS)
        refs = [new_reference("pg-kill") for _ in range(PAYMENTS)]
        for ref in refs:
            _pay(demo, ref)
        # only the victim runs yet: it sends each payment's first webhook (the rest wait for it, in order)
        receiver.wait_for(lambda got: len(got) >= PAYMENTS)
        in_flight = len(receiver.received) - len(receiver.answered)

        with Worker(server.env, tmp_path / "survivor.log") as survivor:
            survivor.wait_ready()
            victim.kill()
            receiver.hold.set()

            done = _all_delivered(client, refs)

    assert in_flight == PAYMENTS
    for ref in refs:  # the cut-off first attempt, then everything once more, in order
        assert receiver.names(ref) == ["CREATED", *NAMES]
        assert len(set(_psp(receiver, ref))) == len(NAMES)
    assert all(len(d["attempts"]) == 1 for d in done)  # the cut-off attempt left no record: at least once
    receiver.verify_all(hook["secret"], receiver.url())


@postgres
def test_a_webhook_registered_through_one_process_is_delivered_by_another(tmp_path: Path) -> None:
    # A and B run no delivery loops (one told by the environment, one by the flag): only the worker can send
    servers = _server(tmp_path, "a", KASSE_RUN_WORKER="0"), _server(tmp_path, "b", "--no-worker")
    with (
        receiving() as receiver,
        started(*servers) as (a, b),
        http_client(a.url) as client_a,
        http_client(b.url) as client_b,
    ):
        hook = register(ApiSession(client_a, DEMO_CREDENTIALS), receiver.url(), PAYMENT_EVENTS)
        through_b = ApiSession(client_b, DEMO_CREDENTIALS)
        refs = [new_reference("pg-other") for _ in range(PAYMENTS)]
        for ref in refs:
            _pay(through_b, ref)
        queued = [d for ref in refs for d in deliveries(client_a, ref)]
        sent_before = list(receiver.received)

        with Worker(b.env, tmp_path / "worker.log"):
            receiver.wait_for(lambda got: len(got) >= len(NAMES) * PAYMENTS)
            done = _all_delivered(client_b, refs)

    assert sent_before == []
    assert len(queued) == len(NAMES) * PAYMENTS and {d["state"] for d in queued} == {"PENDING"}
    assert all(d["attempts"] == [] for d in queued)
    for ref in refs:
        assert receiver.names(ref) == NAMES
        assert len(set(_psp(receiver, ref))) == len(NAMES)
    assert all(len(d["attempts"]) == 1 for d in done)
    receiver.verify_all(hook["secret"], receiver.url())


@pytest.mark.parametrize(("production", "configured", "lease"), [
    (False, None, LEASE.total_seconds()),
    (False, 3.0, 3.0),
    (True, 3.0, LEASE.total_seconds()),  # production never shortens the lease
])
def test_the_delivery_lease_is_shortened_only_outside_production(production: bool, configured: float | None,
                                                                 lease: float) -> None:
    settings = Settings(production=production, delivery_lease=configured)

    assert delivery_lease(settings).total_seconds() == lease


def test_the_delivery_lease_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KASSE_DELIVERY_LEASE", "2.5")

    assert Settings.from_env().delivery_lease == 2.5


@pytest.mark.parametrize("bad", ["0", "-1", "soon", "inf", "nan"])
def test_a_delivery_lease_that_is_not_a_positive_number_is_refused(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("KASSE_DELIVERY_LEASE", bad)

    with pytest.raises(ValueError, match="KASSE_DELIVERY_LEASE must be a positive number of seconds"):
        Settings.from_env()
