"""Webhook delivery across processes: a SIGKILL mid-send, `kasse worker` beside the server, `kasse listen`."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from kasse.domain.webhook_registration import EVENT_TYPES, PAYMENT_EVENTS
from tests.harness import DEMO_CREDENTIALS, ApiSession, ServerProcess, create_body, free_port, new_reference
from tests.integration.wallet_support import KARI, behave, pushed, state
from tests.integration.webhook_receiver import advance, deliveries, http_client, poll, receiving, register

pytestmark = pytest.mark.slow


def test_a_delivery_cut_off_by_a_crash_is_sent_again_after_restart(tmp_path: Path) -> None:
    database = tmp_path / "kasse.db"
    with receiving() as receiver:
        receiver.hold.clear()  # the first request gets no answer until the server is dead
        first = ServerProcess(database).start()
        try:
            with http_client(first.url) as client:
                hook = register(ApiSession(client, DEMO_CREDENTIALS), receiver.url(), PAYMENT_EVENTS[:1])
                ref = new_reference("crash")
                ApiSession(client, DEMO_CREDENTIALS).create(create_body(ref))
                receiver.wait_for(lambda got: len(got) == 1)
        finally:
            first.kill()  # SIGKILL while the send is in flight: no outcome is ever recorded
        receiver.hold.set()

        second = ServerProcess(database).start()
        try:
            with http_client(second.url) as client:
                assert deliveries(client, ref)[0]["state"] == "PENDING"
                advance(client, 61)  # the dead server's claim on it runs out

                receiver.wait_for(lambda got: len(got) == 2)
                (done,) = poll(lambda: deliveries(client, ref), lambda ds: ds[0]["state"] == "DELIVERED")
        finally:
            second.stop()
        assert receiver.payloads()[0] == receiver.payloads()[1]
        receiver.verify_all(hook["secret"], receiver.url())
        assert len(done["attempts"]) == 1  # the cut-off attempt left no record; at least once, not exactly once


@contextlib.contextmanager
def server_with_worker(
    database: Path, *server_args: str
) -> Iterator[tuple[ServerProcess, subprocess.Popen[bytes]]]:
    """A `kasse serve` and a `kasse worker` on one database; both stopped afterwards."""
    server = ServerProcess(database, args=server_args).start()
    worker = subprocess.Popen([sys.executable, "-m", "kasse", "worker", "--db", str(database)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=server.env)
    try:
        yield server, worker
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=15)
        server.stop()


def test_kasse_worker_delivers_beside_a_server_without_one(tmp_path: Path) -> None:
    with server_with_worker(tmp_path / "kasse.db", "--no-worker") as (server, worker):
        with receiving() as receiver, http_client(server.url) as client:
            demo = ApiSession(client, DEMO_CREDENTIALS)
            register(demo, receiver.url(), PAYMENT_EVENTS)
            refs = [new_reference("worker") for _ in range(5)]
            for ref in refs:
                demo.create(create_body(ref))
                demo.approve(ref)

            receiver.wait_for(lambda got: len(got) >= 10)

            for ref in refs:
                assert receiver.names(ref) == ["CREATED", "AUTHORIZED"]
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0


def test_kasse_worker_runs_the_wallet_users_behaviours_beside_a_server_without_one(tmp_path: Path) -> None:
    with server_with_worker(tmp_path / "kasse.db", "--no-worker") as (server, _), http_client(server.url) as client:
        demo = ApiSession(client, DEMO_CREDENTIALS)
        behave(client, KARI, "AUTO_APPROVE")

        reference = pushed(demo, KARI)

        # polled gently: a reference allows 120 reads a minute (contract §4.13)
        assert poll(lambda: state(demo, reference), lambda s: s != "CREATED", timeout=30, every=0.5) == "AUTHORIZED"


def test_two_delivering_processes_never_send_one_delivery_twice(tmp_path: Path) -> None:
    with server_with_worker(tmp_path / "kasse.db") as (server, _), receiving() as receiver, \
            http_client(server.url) as client:
        demo = ApiSession(client, DEMO_CREDENTIALS)
        register(demo, receiver.url(), PAYMENT_EVENTS)
        refs = [new_reference("pair") for _ in range(20)]
        for ref in refs:
            demo.create(create_body(ref))
            demo.approve(ref)

        receiver.wait_for(lambda got: len(got) >= 40)
        poll(lambda: [d for ref in refs for d in deliveries(client, ref)],
             lambda ds: {d["state"] for d in ds} == {"DELIVERED"})

        psps = [p["pspReference"] for p in receiver.payloads()]
        assert len(psps) == len(set(psps)) == 40


def _lines(stream: IO[str]) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _expect(lines: queue.Queue[str], text: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if text in line:
            return line
    raise AssertionError(f"no line with {text!r} within {timeout} s")


@pytest.fixture
def listen_cmd() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_kasse_listen_prints_events_and_forwards_signed_webhooks(
    server: ServerProcess, listen_cmd: list[subprocess.Popen[str]]
) -> None:
    with receiving() as receiver, http_client(server.url) as client:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kasse", "listen", "--url", server.url, "--forward-to", receiver.url()],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        listen_cmd.append(proc)
        assert proc.stdout is not None and proc.stderr is not None
        out, err = _lines(proc.stdout), _lines(proc.stderr)
        secret = _expect(err, "secret (shown once): ").rsplit(" ", 1)[1]
        _expect(err, "listening for events")
        demo = ApiSession(client, DEMO_CREDENTIALS)
        ref = new_reference("listen")

        demo.create(create_body(ref, 49900))
        demo.approve(ref)

        assert "CREATED" in _expect(out, ref)
        line = _expect(out, ref)
        assert "AUTHORIZED" in line and "499.00 NOK" in line
        receiver.wait_for(lambda got: len(got) == 2)
        receiver.verify_all(secret, receiver.url())
        hooks = client.get("/webhooks/v1/webhooks", headers=demo.headers()).json()["webhooks"]
        assert [h["events"] for h in hooks] == [list(EVENT_TYPES)]

        proc.send_signal(signal.SIGINT)

        assert proc.wait(timeout=15) == 0
        assert client.get("/webhooks/v1/webhooks", headers=demo.headers()).json() == {"webhooks": []}


def test_kasse_listen_explains_an_unreachable_server() -> None:
    nobody = f"http://127.0.0.1:{free_port()}"

    done = subprocess.run([sys.executable, "-m", "kasse", "listen", "--url", nobody], capture_output=True, text=True,
                          timeout=30)

    assert done.returncode == 1
    assert f"cannot reach kasse at {nobody}" in done.stderr
