"""Access tokens: fetched on first use, shared, renewed before expiry, exactly once under concurrency."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from kasse.sdk import AuthenticationError, UnexpectedResponseError
from kasse.sdk._tokens import AccessToken, SyncTokens, read_token
from tests.unit.sdk.fakes import T0, FakeApi, FakeClock, payment_body, problem, token_body

GET = "/epayment/v1/payments/order-1001"


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=payment_body())


def test_the_token_is_fetched_on_first_use_and_then_reused() -> None:
    api = FakeApi().script(GET, ok)
    client = api.client()

    for _ in range(5):
        client.payments.get("order-1001")

    assert api.token_fetches() == 1
    assert {r.headers["Authorization"] for r in api.to(GET)} == {"Bearer token-1"}


def test_creating_a_client_fetches_nothing() -> None:
    api = FakeApi()

    api.client().close()

    assert api.requests == []


def test_the_token_is_renewed_a_margin_before_it_expires() -> None:
    clock = FakeClock()
    api = FakeApi(clock=clock).script(GET, ok)
    client = api.client(clock)
    client.payments.get("order-1001")

    clock.advance(3600 - 61)
    client.payments.get("order-1001")
    clock.advance(2)
    client.payments.get("order-1001")

    assert api.token_fetches() == 2
    assert [r.headers["Authorization"] for r in api.to(GET)] == ["Bearer token-1", "Bearer token-1", "Bearer token-2"]


def test_the_margin_is_configurable() -> None:
    clock = FakeClock()
    api = FakeApi(clock=clock).script(GET, ok)
    client = api.client(clock, token_refresh_margin=600)
    client.payments.get("order-1001")

    clock.advance(3000)
    client.payments.get("order-1001")

    assert api.token_fetches() == 2


def test_a_short_lived_token_is_used_for_half_its_life_at_least() -> None:
    token = read_token(token_body(lifetime=60), now=T0, margin=60)

    assert token.refresh_at == T0 + 30


def test_expires_in_is_used_when_expires_on_is_absent() -> None:
    body = {k: v for k, v in token_body(lifetime=3600).items() if k != "expires_on"}

    assert read_token(body, now=T0, margin=60).refresh_at == T0 + 3540


def test_a_refused_token_is_replaced_once_and_the_call_repeated() -> None:
    api = FakeApi().script(GET, problem(401), ok)

    payment = api.client().payments.get("order-1001")

    assert payment.reference == "order-1001"
    assert [r.headers["Authorization"] for r in api.to(GET)] == ["Bearer token-1", "Bearer token-2"]


def test_refused_credentials_are_an_authentication_error() -> None:
    api = FakeApi().script("/accesstoken/get", problem(401, detail="Invalid client_id"))

    with pytest.raises(AuthenticationError, match="Invalid client_id"):
        api.client().payments.get("order-1001")

    assert api.to(GET) == []


def test_a_token_answer_without_a_token_is_an_unexpected_response() -> None:
    api = FakeApi().script("/accesstoken/get", httpx.Response(200, json={"token_type": "Bearer"}))

    with pytest.raises(UnexpectedResponseError, match="access_token"):
        api.client().payments.get("order-1001")


def test_the_token_request_carries_the_credentials_in_headers_and_no_body() -> None:
    api = FakeApi().script(GET, ok)

    api.client(system_name="kassa", plugin_version="1.2").payments.get("order-1001")

    (fetch,) = api.to("/accesstoken/get")
    assert fetch.method == "POST" and fetch.content == b""
    assert fetch.headers["client_id"] == "client-1"
    assert fetch.headers["client_secret"] == "secret-1"
    assert fetch.headers["Ocp-Apim-Subscription-Key"] == "sub-key-1"
    assert fetch.headers["Merchant-Serial-Number"] == "123456"
    assert fetch.headers["Vipps-System-Name"] == "kassa"
    assert fetch.headers["Vipps-System-Plugin-Version"] == "1.2"
    assert "Authorization" not in fetch.headers


def slow_token(gate: threading.Event) -> httpx.Response:
    # hold the first fetch until every caller has arrived, so they all find the cache empty
    gate.wait(timeout=10)
    return httpx.Response(200, json=token_body("token-shared"))


def test_fifty_threads_calling_at_once_share_one_token_fetch() -> None:
    gate = threading.Event()
    api = FakeApi().script("/accesstoken/get", lambda _: slow_token(gate)).script(GET, ok)
    client = api.client()
    callers = 50
    arrived = threading.Barrier(callers + 1)

    def call() -> str:
        arrived.wait(timeout=10)
        return client.payments.get("order-1001").reference

    with ThreadPoolExecutor(max_workers=callers) as pool:
        futures = [pool.submit(call) for _ in range(callers)]
        arrived.wait(timeout=10)
        gate.set()
        results = [f.result(timeout=10) for f in futures]

    assert results == ["order-1001"] * callers
    assert api.token_fetches() == 1
    assert {r.headers["Authorization"] for r in api.to(GET)} == {"Bearer token-shared"}


class CountingLock:
    """A lock that tells when `expected` callers have reached it (one holding it, the rest waiting)."""

    def __init__(self, expected: int) -> None:
        self._lock = threading.Lock()
        self._count = threading.Lock()
        self._expected = expected
        self.arrived = 0
        self.all_here = threading.Event()

    def __enter__(self) -> bool:
        with self._count:
            self.arrived += 1
            if self.arrived == self._expected:
                self.all_here.set()
        return self._lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def test_the_thread_cache_holds_every_concurrent_caller_on_one_fetch() -> None:
    lock = CountingLock(50)
    fetches: list[int] = []

    def fetch() -> AccessToken:
        # return only once all 50 callers have found the cache empty and reached the lock
        assert lock.all_here.wait(timeout=10)
        fetches.append(1)
        return AccessToken("token-shared", T0 + 3000)

    tokens = SyncTokens(fetch, FakeClock(), lock)
    with ThreadPoolExecutor(max_workers=50) as pool:
        values = list(pool.map(lambda _: tokens.get(), range(50)))

    assert values == ["token-shared"] * 50
    assert len(fetches) == 1


def test_fifty_tasks_calling_at_once_share_one_token_fetch() -> None:
    api = FakeApi().script(GET, ok)

    async def run() -> list[str]:
        gate = asyncio.Event()

        async def token(request: httpx.Request) -> httpx.Response:
            await gate.wait()
            return httpx.Response(200, json=token_body("token-shared"))

        async def handler(request: httpx.Request) -> httpx.Response:
            if request.url.path == "/accesstoken/get":
                api.requests.append(request)
                return await token(request)
            return api.handle(request)

        async with api.async_client(transport=httpx.MockTransport(handler)) as client:
            tasks = [asyncio.create_task(client.payments.get("order-1001")) for _ in range(50)]

            async def release() -> None:
                # tasks run in creation order: by now one holds the lock, awaiting the gate, and 49 wait on it
                gate.set()

            await asyncio.create_task(release())
            return [p.reference for p in await asyncio.gather(*tasks)]

    results = asyncio.run(run())

    assert results == ["order-1001"] * 50
    assert api.token_fetches() == 1
    assert {r.headers["Authorization"] for r in api.to(GET)} == {"Bearer token-shared"}
