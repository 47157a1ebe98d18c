"""Test harness: an in-process kasse (TestClient) and a real `kasse serve` subprocess on a free port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.testclient import TestClient

from kasse.api.app import create_app
from kasse.bootstrap import DEMO, Container, build
from kasse.settings import Settings


@dataclass
class Credentials:
    msn: str
    client_id: str
    client_secret: str
    subscription_key: str

    def token_headers(self) -> dict[str, str]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "Ocp-Apim-Subscription-Key": self.subscription_key,
            "Merchant-Serial-Number": self.msn,
        }


DEMO_CREDENTIALS = Credentials(DEMO.msn or "123456", DEMO.client_id or "", DEMO.client_secret or "",
                               DEMO.subscription_key or "")


def new_reference(prefix: str = "test") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:20]}"


def create_body(reference: str, value: int = 10000, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "amount": {"currency": "NOK", "value": value},
        "paymentMethod": {"type": "WALLET"},
        "reference": reference,
        "userFlow": "QR",
    }
    body.update(extra)
    return body


class ApiSession:
    """An authenticated sales unit talking to kasse through any httpx-like client."""

    def __init__(self, client: Any, creds: Credentials) -> None:
        self.client = client
        self.creds = creds
        token = client.post("/accesstoken/get", headers=creds.token_headers())
        assert token.status_code == 200, token.text
        self.token = token.json()["access_token"]

    def headers(self, idempotency_key: str | None = None, **extra: str) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Ocp-Apim-Subscription-Key": self.creds.subscription_key,
            "Merchant-Serial-Number": self.creds.msn,
        }
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        headers.update(extra)
        return headers

    def create(self, body: dict[str, Any], key: str | None = None) -> httpx.Response:
        r: httpx.Response = self.client.post(
            "/epayment/v1/payments", json=body, headers=self.headers(key or uuid.uuid4().hex)
        )
        return r

    def get(self, reference: str) -> httpx.Response:
        r: httpx.Response = self.client.get(f"/epayment/v1/payments/{reference}", headers=self.headers())
        return r

    def events(self, reference: str) -> httpx.Response:
        r: httpx.Response = self.client.get(f"/epayment/v1/payments/{reference}/events", headers=self.headers())
        return r

    def approve(self, reference: str) -> httpx.Response:
        r: httpx.Response = self.client.post(
            f"/epayment/v1/test/payments/{reference}/approve", json={}, headers=self.headers()
        )
        return r

    def modify(self, reference: str, operation: str, value: int, key: str | None = None,
               currency: str = "NOK") -> httpx.Response:
        r: httpx.Response = self.client.post(
            f"/epayment/v1/payments/{reference}/{operation}",
            json={"modificationAmount": {"currency": currency, "value": value}},
            headers=self.headers(key or uuid.uuid4().hex),
        )
        return r

    def cancel(self, reference: str, body: dict[str, Any] | None = None, key: str | None = None) -> httpx.Response:
        r: httpx.Response = self.client.post(
            f"/epayment/v1/payments/{reference}/cancel",
            json=body if body is not None else {},
            headers=self.headers(key),
        )
        return r

    def new_merchant(self, **spec: Any) -> Credentials:
        r = self.client.post("/_kasse/merchants", json=spec)
        assert r.status_code == 201, r.text
        m = r.json()
        return Credentials(m["msn"], m["clientId"], m["clientSecret"], m["subscriptionKey"])


@dataclass
class InProcessKasse:
    container: Container
    client: TestClient
    demo: ApiSession = field(init=False)

    def __post_init__(self) -> None:
        self.demo = ApiSession(self.client, DEMO_CREDENTIALS)

    def session(self, creds: Credentials) -> ApiSession:
        return ApiSession(self.client, creds)


def in_process(tmp_path: Path, **settings: Any) -> Iterator[InProcessKasse]:
    options: dict[str, Any] = {"database": str(tmp_path / "kasse.db"), "public_url": "http://127.0.0.1:8000",
                               "synchronous": "NORMAL"}
    options.update(settings)
    container = build(Settings(**options))
    app = create_app(container)
    try:
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            yield InProcessKasse(container, client)
    finally:
        container.db.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class ServerProcess:
    """`kasse serve` in a child process, for tests that need a real socket or a real crash."""

    def __init__(self, database: Path, *, port: int | None = None, env: dict[str, str] | None = None,
                 args: tuple[str, ...] = ()) -> None:
        self.database = database
        self.port = port or free_port()
        self.env = {**os.environ, **(env or {})}
        self.args = args
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = database.parent / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> ServerProcess:
        cmd = [sys.executable, "-m", "kasse", "serve", "--port", str(self.port), "--db", str(self.database),
               *self.args]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=self.env,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/_kasse/clock", timeout=1.0).status_code < 500:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown hooks, no flushing."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
