"""Test harness: an in-process kasse (TestClient) and a real `kasse serve` subprocess on a free port."""

from __future__ import annotations

import functools
import os
import secrets
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
import pytest
from starlette.testclient import TestClient

from kasse.bootstrap import build
from kasse.container import Container
from kasse.server import create_app
from kasse.settings import DEMO, DEMO_SHOP, Settings
from tests.official_specs import REFERENCE, require


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
# the built-in POS's own sales unit (`kasse serve`'s /pos sells for it)
SHOP_CREDENTIALS = Credentials(DEMO_SHOP.msn, DEMO_SHOP.client_id, DEMO_SHOP.client_secret, DEMO_SHOP.subscription_key)


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


def production_unit(container: Container) -> Credentials:
    """Make a sales unit the way an operator does (`kasse merchant create`): production mode has no demo unit."""
    from kasse.services.merchants import MerchantSpec, create_merchant

    made = container.db.write_sync(lambda uow: create_merchant(uow, container.clock, container.ids, MerchantSpec()))
    return Credentials(made.merchant.msn, made.merchant.client_id, made.client_secret, made.subscription_keys[0])


def as_a_page(client: Any) -> None:
    """Send what a page of kasse's own sends with every request: its CSRF cookie and, back, the token (double submit).

    The cross-site defence itself is tested with clients that send neither
    (tests/integration/security/test_cross_site.py).
    """
    token = secrets.token_urlsafe(32)
    client.cookies.set("kasse_csrf", token)
    client.headers["x-csrf-token"] = token


def with_csrf(client: Any, page: str = "/pos") -> Any:
    """Open `page` as a browser would, then send its CSRF cookie back with every request (kasse.api.csrf)."""
    opened = client.get(page)
    assert opened.status_code == 200, opened.text
    client.headers["x-csrf-token"] = client.cookies["kasse_csrf"]
    return client


@dataclass
class InProcessKasse:
    container: Container
    client: TestClient
    demo: ApiSession = field(init=False)

    def __post_init__(self) -> None:
        production = self.container.settings.production
        self.demo = ApiSession(self.client, production_unit(self.container) if production else DEMO_CREDENTIALS)

    def session(self, creds: Credentials) -> ApiSession:
        return ApiSession(self.client, creds)


# --- the backend under test: SQLite files, or PostgreSQL when KASSE_TEST_DATABASE_URL names a server ------------

TEST_DATABASE_URL = os.environ.get("KASSE_TEST_DATABASE_URL") or None
_SCHEMA_PREFIX = f"kt_{os.getpid()}_{uuid.uuid4().hex[:6]}_"  # this run's schemas, dropped at its end


_MIGRATION_STATEMENTS: list[tuple[str, Any]] = []


def _migration_statements() -> list[tuple[str, Any]]:
    """Return the statements Alembic ran to bring an empty schema to head, recorded once per test run.

    Replaying them is one connection and a few ms; running Alembic costs ~0.13 s, for each of the
    hundreds of in-process stores of the PostgreSQL run. Migrations themselves stay tested: servers
    and `kasse db upgrade` still run them (tests/integration/scale/test_postgres_database.py).
    """
    if not _MIGRATION_STATEMENTS:
        import psycopg
        import sqlalchemy as sa

        from kasse.adapters.postgres.connection import sqlalchemy_url, with_schema
        from kasse.adapters.sql.migrate import ensure_current

        assert TEST_DATABASE_URL is not None
        schema = _SCHEMA_PREFIX + "template"
        with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        engine = sa.create_engine(sqlalchemy_url(with_schema(TEST_DATABASE_URL, schema)), poolclass=sa.NullPool)
        recorded: list[tuple[str, Any]] = []

        def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            if not statement.lstrip().upper().startswith(("SELECT", "SHOW")):
                recorded.append((statement, parameters))

        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            ensure_current(engine, migrate=True)
        finally:
            engine.dispose()
        _MIGRATION_STATEMENTS.extend(recorded)
    return _MIGRATION_STATEMENTS


def schema_url(key: str, *, migrated: bool = False, prepared: bool = False) -> str:
    """Return a URL of a private PostgreSQL schema for `key` (created if missing): one store per test.

    `migrated`: bring it to head now, as `kasse db upgrade` would (a production-mode server does not migrate).
    `prepared`: the same, by replaying the statements of one migration run (fast; for in-process stores).
    """
    import hashlib

    import psycopg

    from kasse.adapters.postgres.connection import with_schema
    from kasse.adapters.postgres.database import PostgresDatabase

    assert TEST_DATABASE_URL is not None
    schema = _SCHEMA_PREFIX + hashlib.sha1(key.encode()).hexdigest()[:16]
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    url = with_schema(TEST_DATABASE_URL, schema)
    if migrated:
        PostgresDatabase(url).upgrade()
    elif prepared:
        statements = _migration_statements()
        with psycopg.connect(url) as conn:
            for statement, parameters in statements:
                conn.execute(statement, parameters or None)
    return url


def drop_schemas() -> None:
    """Drop every schema this test run created."""
    if TEST_DATABASE_URL is None:
        return
    import psycopg

    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
        found = conn.execute("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s)",
                             (_SCHEMA_PREFIX,)).fetchall()
        for (schema,) in found:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def in_process(tmp_path: Path, **settings: Any) -> Iterator[InProcessKasse]:
    options: dict[str, Any] = {"database": str(tmp_path / "kasse.db"), "public_url": "http://127.0.0.1:8000",
                               "synchronous": "NORMAL"}
    options.update(settings)
    if TEST_DATABASE_URL is not None:
        options["database_url"] = schema_url(str(tmp_path / "kasse.db"), migrated=bool(options.get("production")),
                                             prepared=True)
    container = build(Settings(**options))
    app = create_app(container)
    try:
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            as_a_page(client)
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
        if TEST_DATABASE_URL is not None and "KASSE_DATABASE_URL" not in self.env:
            # same file, same schema: a restarted server sees its data; production servers do not migrate
            self.env["KASSE_DATABASE_URL"] = schema_url(str(database),
                                                        migrated=self.env.get("KASSE_MODE") == "production")
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


# --- conformance helpers for the integration suites (contract §2–§4) -------------------------------------

EPAYMENT_SPEC = Path(os.environ.get("KASSE_EPAYMENT_SPEC", REFERENCE / "epayment-v1.site-1.8.1.yaml"))
PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance", "traceId", "extraDetails"}
DEMO_PHONE = "4712345678"  # the seeded demo wallet user


@functools.cache
def _epayment_components() -> dict[str, Any]:
    import yaml

    spec: dict[str, Any] = yaml.safe_load(EPAYMENT_SPEC.read_text())
    return {"components": spec["components"]}


def assert_matches_spec(body: Any, schema: str) -> None:
    """Validate a response body against a schema of the official ePayment OpenAPI file (not in the repo)."""
    require(EPAYMENT_SPEC)
    from openapi_schema_validator import OAS30Validator

    document = {"$ref": f"#/components/schemas/{schema}", **_epayment_components()}
    OAS30Validator(document, format_checker=OAS30Validator.FORMAT_CHECKER).validate(body)


def error_code(response: httpx.Response) -> str | None:
    """Return the problem's ErrorCode, or None for a problem without one."""
    for detail in response.json().get("extraDetails") or []:
        if detail["name"] == "ErrorCode":
            reason: str = detail["reason"]
            return reason
    return None


def bad_fields(response: httpx.Response) -> set[str]:
    """Return the names in a validation problem's extraDetails."""
    return {d["name"] for d in response.json().get("extraDetails") or []}


def assert_problem(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert an RFC 7807 problem with every field the contract lists; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_FIELDS, body
    assert body["status"] == status
    assert body["type"] == f"https://httpstatuses.io/{status}"
    assert error_code(response) == code, body
    return body


def advance_clock(client: Any, seconds: int) -> None:
    r = client.post("/_kasse/clock/advance", json={"seconds": seconds})
    assert r.status_code == 200, r.text


def receipt(value: int = 10000, currency: str = "NOK") -> dict[str, Any]:
    tax = value // 5
    return {
        "orderLines": [{"name": "Coffee", "id": "line-1", "totalAmount": value,
                        "totalAmountExcludingTax": value - tax, "totalTaxAmount": tax, "taxRate": 2500}],
        "bottomLine": {"currency": currency, "posId": "till-1"},
    }


def local_path(url: str) -> str:
    """Return the path and query of one of kasse's own URLs, for the in-process client."""
    parts = httpx.URL(url)
    return parts.raw_path.decode()


def token_of(redirect_url: str) -> str:
    """Return the payment token inside a create response's redirectUrl."""
    url = httpx.URL(redirect_url)
    token = url.params.get("token") or url.path.rsplit("/", 1)[-1]
    return token.split(".", 1)[0]


def authorized(session: ApiSession, value: int = 10000, **extra: Any) -> str:
    """Create and force-approve a payment; return its reference."""
    ref = new_reference()
    created = session.create(create_body(ref, value, **extra))
    assert created.status_code == 201, created.text
    approved = session.approve(ref)
    assert approved.status_code == 200, approved.text
    return ref


def aggregate(response: httpx.Response) -> dict[str, int]:
    """Return the aggregate of a payment or modification response as plain numbers."""
    return {name.removesuffix("Amount"): amount["value"] for name, amount in response.json()["aggregate"].items()}


def shared_kasse(name: str, **settings: Any) -> Any:
    """Return a module-scoped fixture to stand in for `kasse` in a module whose tests share one instance.

    Fit only for tests that touch nothing but their own random references and keys and never move the
    clock: the random references keep them apart (cosmicpython's random refs), and the suite stays fast.
    """

    @pytest.fixture(scope="module")
    def fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessKasse]:
        yield from in_process(tmp_path_factory.mktemp(name), **settings)

    return fixture
