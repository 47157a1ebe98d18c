"""The one retry rule, through MockTransport: what is resent, with which key, after how long."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from kasse.sdk import (
    Amount,
    ApiError,
    CreatePaymentRequest,
    LockedError,
    NetworkError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    UserFlow,
)
from kasse.sdk._retry import retry_after_seconds
from tests.unit.sdk.fakes import FakeApi, FakeClock, payment_body, problem

GET = "/epayment/v1/payments/order-1001"
CAPTURE = "/epayment/v1/payments/order-1001/capture"
APPROVE = "/epayment/v1/test/payments/order-1001/approve"
MODIFIED = {**payment_body("AUTHORIZED"), "pspReference": "psp-1"}


def request() -> CreatePaymentRequest:
    return CreatePaymentRequest(amount=Amount.nok(499_00), reference="order-1001", user_flow=UserFlow.QR)


@pytest.mark.parametrize(
    "failure",
    [
        problem(500),
        problem(502),
        problem(503, "6280"),
        problem(423, "6160"),
        problem(429),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("reset"),
        httpx.ConnectError("refused"),
    ],
    ids=["500", "502", "503", "423", "429", "read-timeout", "reset", "connect-error"],
)
def test_a_keyed_write_is_resent_with_the_same_idempotency_key(failure: httpx.Response | Exception) -> None:
    api = FakeApi().script(CAPTURE, failure, httpx.Response(200, json=MODIFIED))

    result = api.client().payments.capture("order-1001", Amount.nok(100), idempotency_key="capture-1")

    keys = [r.headers["Idempotency-Key"] for r in api.to(CAPTURE)]
    assert keys == ["capture-1", "capture-1"]
    assert result.state == "AUTHORIZED"


def test_a_generated_idempotency_key_is_reused_on_every_retry() -> None:
    api = FakeApi().script("/epayment/v1/payments", problem(503), problem(503),
                           httpx.Response(201, json={"reference": "order-1001"}))

    api.client().payments.create(request())

    keys = {r.headers["Idempotency-Key"] for r in api.to("/epayment/v1/payments")}
    assert len(api.to("/epayment/v1/payments")) == 3
    assert len(keys) == 1 and len(keys.pop()) <= 50


def test_cancel_without_a_key_gets_one_and_keeps_it_across_retries() -> None:
    path = "/epayment/v1/payments/order-1001/cancel"
    api = FakeApi().script(path, httpx.ReadTimeout("slow"), httpx.Response(200, json=MODIFIED))

    api.client().payments.cancel("order-1001")

    first, second = api.to(path)
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert first.content == b'{"cancelTransactionOnly":false}'


@pytest.mark.parametrize(
    "failure",
    [problem(500), problem(503), problem(423), problem(429), httpx.ReadTimeout("slow"),
     httpx.RemoteProtocolError("reset")],
    ids=["500", "503", "423", "429", "read-timeout", "reset"],
)
def test_force_approve_is_not_resent_once_the_server_may_have_seen_it(failure: httpx.Response | Exception) -> None:
    api = FakeApi().script(APPROVE, failure, httpx.Response(200))

    with pytest.raises((ServerError, LockedError, RateLimitedError, NetworkError)):
        api.client().payments.force_approve("order-1001")

    assert len(api.to(APPROVE)) == 1


def test_force_approve_is_resent_when_the_connection_was_never_made() -> None:
    api = FakeApi().script(APPROVE, httpx.ConnectError("refused"), httpx.Response(200))

    api.client().payments.force_approve("order-1001")

    assert len(api.to(APPROVE)) == 2


def test_waits_grow_exponentially_with_full_jitter() -> None:
    clock = FakeClock()
    api = FakeApi().script(GET, problem(500), problem(500), problem(500), problem(500),
                           httpx.Response(200, json=payment_body()))

    api.client(clock, attempts=5, draws=[1.0, 1.0, 0.5, 0.25]).payments.get("order-1001")

    # base 0.5 s doubling: ceilings 0.5, 1, 2, 4, scaled by the draws
    assert clock.sleeps == [0.5, 1.0, 1.0, 1.0]


def test_the_backoff_ceiling_is_capped_at_max_delay() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)

    assert [policy.backoff(n, 1.0) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert policy.backoff(6, 0.0) == 0.0


def test_retry_after_in_seconds_is_obeyed_instead_of_the_backoff() -> None:
    clock = FakeClock()
    api = FakeApi().script(GET, problem(429, headers={"Retry-After": "7"}), httpx.Response(200, json=payment_body()))

    api.client(clock).payments.get("order-1001")

    assert clock.sleeps == [7.0]


def test_retry_after_as_an_http_date_is_read_as_the_wait_until_then() -> None:
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)

    seconds = retry_after_seconds(httpx.Headers({"Retry-After": "Wed, 01 May 2024 12:00:30 GMT"}), now)

    assert seconds == 30.0
    assert retry_after_seconds(httpx.Headers({"Retry-After": "soon"}), now) is None


def test_a_retry_after_longer_than_allowed_is_reported_not_waited_for() -> None:
    clock = FakeClock()
    api = FakeApi().script(GET, problem(429, headers={"Retry-After": "3600"}))

    with pytest.raises(RateLimitedError) as raised:
        api.client(clock).payments.get("order-1001")

    assert raised.value.retry_after == 3600.0
    assert clock.sleeps == []
    assert len(api.to(GET)) == 1


def test_the_last_error_is_raised_when_attempts_run_out() -> None:
    clock = FakeClock()
    api = FakeApi().script(GET, problem(503, "6280", detail="try later"))

    with pytest.raises(ServerError) as raised:
        api.client(clock, attempts=4).payments.get("order-1001")

    assert len(api.to(GET)) == 4
    assert len(clock.sleeps) == 3
    assert raised.value.error_code == "6280"


def test_a_network_error_after_the_last_attempt_is_a_network_error() -> None:
    api = FakeApi().script(GET, httpx.ConnectError("refused"))

    with pytest.raises(NetworkError, match="ConnectError"):
        api.client(attempts=2).payments.get("order-1001")

    assert len(api.to(GET)) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_client_errors_are_never_resent(status: int) -> None:
    clock = FakeClock()
    api = FakeApi().script(CAPTURE, problem(status))

    with pytest.raises(ApiError):
        api.client(clock).payments.capture("order-1001", Amount.nok(100))

    # a 401 is retried once with a new token, then reported
    assert len(api.to(CAPTURE)) == (2 if status == 401 else 1)
    assert clock.sleeps == []


def test_one_attempt_means_no_retry() -> None:
    api = FakeApi().script(GET, problem(500))

    with pytest.raises(ServerError):
        api.client(attempts=1).payments.get("order-1001")

    assert len(api.to(GET)) == 1


def test_max_attempts_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


def test_the_async_client_follows_the_same_rule() -> None:
    import asyncio

    clock = FakeClock()
    api = FakeApi().script(CAPTURE, problem(503), httpx.ReadTimeout("slow"), httpx.Response(200, json=MODIFIED))
    approve = FakeApi().script(APPROVE, httpx.ReadTimeout("slow"))

    async def run() -> None:
        async with api.async_client(clock) as client:
            await client.payments.capture("order-1001", Amount.nok(100))
        async with approve.async_client(clock) as client:
            with pytest.raises(NetworkError):
                await client.payments.force_approve("order-1001")

    asyncio.run(run())

    assert len({r.headers["Idempotency-Key"] for r in api.to(CAPTURE)}) == 1
    assert len(api.to(CAPTURE)) == 3
    assert clock.sleeps == [0.25, 0.5]
    assert len(approve.to(APPROVE)) == 1
