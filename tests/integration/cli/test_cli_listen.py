"""`kasse listen` in this process against a kasse on a real socket: when it says it listens, and what forwards got.

`run` is driven on the main thread (it installs the Ctrl-C handler) and stopped the way a person stops it:
with SIGINT. A watchdog interrupts it if what the test waits for never comes, so a failure is an assertion.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator

import pytest

from kasse.cli.forwards import ForwardReport, describe_attempt
from kasse.cli.listen import ListenOptions, run
from kasse.settings import DEMO
from kasse.testing.server import KasseServer
from tests.harness import DEMO_CREDENTIALS, ApiSession, create_body, new_reference
from tests.integration.webhook_receiver import Received, http_client, receiving

WATCHDOG = 20.0  # seconds before a listen session that never saw what it waits for is interrupted


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KasseServer]:
    running = KasseServer.start(tmp_path_factory.mktemp("cli-listen") / "kasse.db")
    try:
        yield running
    finally:
        running.stop()


def interrupt() -> None:
    """Press Ctrl-C in `kasse listen` (it runs on the main thread), from any thread."""
    main = threading.main_thread().ident
    assert main is not None
    signal.pthread_kill(main, signal.SIGINT)


def listen(server: KasseServer, echo: Callable[[str], None], warn: Callable[[str], None],
           forward_to: str | None = None) -> None:
    watchdog = threading.Timer(WATCHDOG, interrupt)
    watchdog.start()
    try:
        run(ListenOptions(server.url, DEMO.msn, DEMO.client_id, DEMO.client_secret, DEMO.subscription_key,
                          forward_to), echo, warn)
    finally:
        watchdog.cancel()


def test_an_event_made_the_moment_listen_says_it_listens_is_shown(server: KasseServer) -> None:
    shown: list[str] = []
    reference = new_reference("listen")

    def warn(line: str) -> None:
        shown.append(line)
        if line.startswith("listening for events"):
            with http_client(server.url) as client:  # made at once: the stream must already be open
                assert ApiSession(client, DEMO_CREDENTIALS).create(create_body(reference)).status_code == 201

    def echo(line: str) -> None:
        shown.append(line)
        if reference in line:
            interrupt()

    listen(server, echo, warn)

    listening = next(i for i, line in enumerate(shown) if line.startswith("listening for events"))
    created = [line for line in shown[listening:] if reference in line]
    assert len(created) == 1 and "CREATED" in created[0], shown


def test_each_forward_prints_the_status_and_latency_it_got(server: KasseServer) -> None:
    reference = new_reference("forward")
    results: list[str] = []
    answers = iter([500])  # the first delivery fails, its retry (2 s later) gets 200

    def answer(got: Received) -> int:
        return next(answers, 200)

    def echo(line: str) -> None:
        if line.startswith("  --> "):
            results.append(line)
            if "[200]" in line:
                interrupt()

    def warn(line: str) -> None:
        if line.startswith("listening for events"):
            with http_client(server.url) as client:
                ApiSession(client, DEMO_CREDENTIALS).create(create_body(reference))

    with receiving(answer) as receiver:
        listen(server, echo, warn, forward_to=receiver.url("/hooks"))

    assert [line.split()[1] for line in results] == ["[500]", "[200]"], results
    for line in results:
        assert f"epayments.payment.created.v1  {reference}" in line and f"POST {receiver.url('/hooks')}" in line
        assert int(line.split()[2]) >= 0 and line.split()[3] == "ms"
    assert results[1].endswith("attempt 2")


def test_a_report_prints_each_attempt_once_and_only_its_own_registration() -> None:
    printed: list[str] = []
    report = ForwardReport("http://127.0.0.1:1", "123456", "hook-1", printed.append, printed.append)
    mine = {"id": 7, "webhookId": "hook-1", "eventType": "epayments.payment.authorized.v1", "reference": "r-1",
            "url": "http://127.0.0.1:3000/hooks", "attempts": [
                {"number": 1, "responseCode": None, "latencyMs": 10003, "error": "timed out"}]}
    theirs = {**mine, "id": 8, "webhookId": "hook-2"}

    report.report_new([theirs, mine])
    report.report_new([theirs, {**mine, "attempts": [*mine["attempts"], {"number": 2, "responseCode": 204,
                                                                           "latencyMs": 12, "error": None}]}])

    assert printed == [
        describe_attempt(mine, mine["attempts"][0]),
        "  --> [204] 12 ms  epayments.payment.authorized.v1  r-1  POST http://127.0.0.1:3000/hooks  attempt 2",
    ]
    assert printed[0] == ("  --> [ERR] 10003 ms  epayments.payment.authorized.v1  r-1  "
                          "POST http://127.0.0.1:3000/hooks  timed out")
