"""The recorder between the HTTP layer and the request log: never blocks, drops and counts when full, flushes all."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from kasse.services.request_recording import BATCH, Exchange, RequestRecorder, Retention, reference_of
from tests.fakes import EPOCH, FakeClock, InMemoryRequestLog


class FakeUow:
    def __init__(self) -> None:
        self.request_log = InMemoryRequestLog()


class FakeWrites:
    def __init__(self, fail: bool = False) -> None:
        self.uow = FakeUow()
        self.fail = fail
        self.jobs = 0

    async def write_apart(self, fn: Callable[[Any], Any]) -> Any:
        self.jobs += 1
        if self.fail:
            raise RuntimeError("database down")
        return fn(self.uow)


def an_exchange(path: str = "/epayment/v1/payments/r-1", body: bytes = b"") -> Exchange:
    return Exchange(at=EPOCH, method="GET", path=path, query=b"", headers=[(b"authorization", b"Bearer t0k")],
                    msn="123456", status=200, duration_ms=1.0, request_body=body, response_body=b"{}")


def test_a_full_queue_drops_and_counts_instead_of_waiting() -> None:
    recorder = RequestRecorder(FakeWrites(), FakeClock(), Retention(), capacity=3)

    for _ in range(5):
        recorder.offer(an_exchange())

    assert recorder.dropped == 2


def test_a_flush_stores_everything_in_batches_redacted_and_prunes_to_the_retention() -> None:
    writes, clock = FakeWrites(), FakeClock()
    recorder = RequestRecorder(writes, clock, Retention(max_rows=10, max_age=timedelta(days=1)))
    for _ in range(BATCH + 1):
        recorder.offer(an_exchange())

    stored = asyncio.run(recorder.flush())

    assert stored == BATCH + 1 and writes.jobs == 2 and recorder.recorded == BATCH + 1
    kept = writes.uow.request_log.search(limit=1000)
    assert [r.id for r in kept] == list(range(BATCH - 8, BATCH + 2))  # the newest 10
    assert kept[0].reference == "r-1" and kept[0].request_headers == {"authorization": "[redacted]"}


def test_a_failed_write_is_counted_as_dropped_and_the_recorder_goes_on() -> None:
    writes = FakeWrites(fail=True)
    recorder = RequestRecorder(writes, FakeClock(), Retention())
    recorder.offer(an_exchange())

    assert asyncio.run(recorder.flush()) == 0

    assert recorder.dropped == 1


def test_stopping_flushes_what_is_left() -> None:
    writes = FakeWrites()
    recorder = RequestRecorder(writes, FakeClock(), Retention())

    async def run_then_stop() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(recorder.run(stop))
        recorder.offer(an_exchange())
        stop.set()
        await running

    asyncio.run(run_then_stop())

    assert len(writes.uow.request_log.records) == 1


@pytest.mark.parametrize(("method", "path", "body", "reference"), [
    ("POST", "/epayment/v1/payments", b'{"reference": "r-9"}', "r-9"),
    ("GET", "/epayment/v1/payments/r-1/events", b"", "r-1"),
    ("POST", "/epayment/v1/test/payments/r-2/approve", b"{}", "r-2"),
    ("POST", "/order-management/v2/ecom/receipts/o-1", b"{}", "o-1"),
    ("GET", "/order-management/v2/ecom/o-2", b"", "o-2"),
    ("POST", "/accesstoken/get", b"", None),
    ("GET", "/epayment/v1/payments", b"", None),
])
def test_the_payment_a_request_is_about(method: str, path: str, body: bytes, reference: str | None) -> None:
    assert reference_of(method, path, body) == reference
