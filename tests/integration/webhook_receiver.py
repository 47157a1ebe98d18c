"""A webhook receiver on 127.0.0.1 for tests: records every request, answers as the test says.

Waiting is event-driven (a condition variable), never a sleep. `verify_all` checks each request
with the receiving-side check the SDK users get, `kasse.domain.webhook_signature.verify`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import orjson

from kasse.domain.webhook_signature import verify


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        found: dict[str, Any] = orjson.loads(self.body)
        return found


Answer = Callable[[Received], int]


class Receiver:
    def __init__(self, answer: Answer | None = None) -> None:
        self.answer: Answer = answer or (lambda r: 200)
        self.received: list[Received] = []  # in order of arrival
        self.answered: list[tuple[Received, int]] = []  # in order of answer, with the status given
        self.hold = threading.Event()  # cleared: requests wait before answering
        self.hold.set()
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                got = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with receiver._changed:
                    receiver.received.append(got)
                    receiver._changed.notify_all()
                receiver.hold.wait(30)
                with receiver._changed:  # one answer at a time, so `answer` may count
                    status = receiver.answer(got)
                    receiver.answered.append((got, status))
                    receiver._changed.notify_all()
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/webhooks/kasse?pos=1") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.hold.set()
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, done: Callable[[list[Received]], bool], timeout: float = 30.0) -> list[Received]:
        with self._changed:
            if not self._changed.wait_for(lambda: done(self.received), timeout):
                raise AssertionError(f"receiver timed out; got {[r.json.get('name') for r in self.received]}")
            return list(self.received)

    def accepted(self) -> list[Received]:
        with self._changed:
            return [r for r, status in self.answered if 200 <= status < 300]

    def payloads(self, reference: str | None = None) -> list[dict[str, Any]]:
        with self._changed:
            found = [r.json for r in self.received]
        return [p for p in found if reference is None or p.get("reference") == reference]

    def names(self, reference: str) -> list[str]:
        return [p["name"] for p in self.payloads(reference)]

    def verify_all(self, secret: str, url: str) -> None:
        with self._changed:
            requests = list(self.received)
        for r in requests:
            verify(r.headers, r.body, secret, url, now=datetime.now(UTC))
            assert r.headers["content-type"] == "application/json"
            assert r.headers["host"] == f"127.0.0.1:{self.port}"


@contextmanager
def receiving(answer: Answer | None = None) -> Iterator[Receiver]:
    receiver = Receiver(answer).start()
    try:
        yield receiver
    finally:
        receiver.stop()


def poll(fetch: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 15.0, every: float = 0.05) -> Any:
    """Fetch until `done(value)` or the deadline; the short pause only paces the polling."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s; last value {value!r}")
        time.sleep(every)


def deliveries(client: Any, reference: str) -> list[dict[str, Any]]:
    r = client.get("/_kasse/webhooks/deliveries", params={"reference": reference})
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()
    return sorted(found, key=lambda d: d["id"])


def register(session: Any, url: str, events: list[str] | tuple[str, ...]) -> dict[str, Any]:
    r = session.client.post("/webhooks/v1/webhooks", json={"url": url, "events": list(events)},
                            headers=session.headers())
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


def advance(client: Any, seconds: int) -> None:
    r = client.post("/_kasse/clock/advance", json={"seconds": seconds})
    assert r.status_code == 200, r.text


def http_client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=15.0, trust_env=False)
