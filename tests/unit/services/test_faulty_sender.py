"""The fault-applying webhook sender over a recording sender: what each fault sends, holds or reports."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from kasse.domain.faults import FaultKind
from kasse.domain.webhook_delivery import DeliveryJob
from kasse.services.deliveries import AttemptResult
from kasse.services.faults import FaultBoard
from kasse.services.faulty_sender import WRONG_SECRET, FaultyWebhookSender
from tests.fakes import FakeClock, InMemoryFaults, SequentialIds

MSN, OTHER = "123456", "654321"


class RecordingSender:
    """Signs by naming what it signed, and answers every POST with 200."""

    def __init__(self) -> None:
        self.posted: list[tuple[str | None, dict[str, str]]] = []

    def headers(self, job: DeliveryJob) -> dict[str, str]:
        return {"secret": job.secret, "signed": job.payload.decode()}

    async def post(self, job: DeliveryJob, sent_at: datetime, headers: dict[str, str]) -> AttemptResult:
        self.posted.append((job.reference, headers))
        return AttemptResult(job, sent_at, 200, 1, None)

    async def send(self, job: DeliveryJob, sent_at: datetime) -> AttemptResult:
        return await self.post(job, sent_at, self.headers(job))

    async def aclose(self) -> None:
        pass


def job(reference: str = "ref-a", msn: str = MSN) -> DeliveryJob:
    return DeliveryJob(1, "claim", "http://127.0.0.1:9/hook", "s3cret", b'{"a":1}', 1, msn, reference)


@pytest.fixture
def board(clock: FakeClock, ids: SequentialIds) -> FaultBoard:
    return FaultBoard(clock, ids, InMemoryFaults())


@pytest.fixture
def inner() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def sender(inner: RecordingSender, board: FaultBoard, clock: FakeClock) -> FaultyWebhookSender:
    return FaultyWebhookSender(inner, board, clock, reorder_wait=0.05, delay_poll=0.001)


def test_without_a_fault_the_delivery_is_sent_as_is(sender: FaultyWebhookSender, inner: RecordingSender,
                                                    board: FaultBoard, clock: FakeClock) -> None:
    board.arm(OTHER, FaultKind.WEBHOOK_DROP)

    result = asyncio.run(sender.send(job(), clock.now()))

    assert (result.response_code, result.error) == (200, None)
    assert inner.posted == [("ref-a", {"secret": "s3cret", "signed": '{"a":1}'})]


@pytest.mark.parametrize(
    ("kind", "headers"),
    [
        (FaultKind.WEBHOOK_BAD_SIGNATURE, {"secret": WRONG_SECRET, "signed": '{"a":1}'}),
        (FaultKind.WEBHOOK_BAD_HASH, {"secret": "s3cret", "signed": '{"a":1} '}),
    ],
)
def test_a_bad_signature_or_hash_signs_something_else(sender: FaultyWebhookSender, inner: RecordingSender,
                                                      board: FaultBoard, clock: FakeClock, kind: FaultKind,
                                                      headers: dict[str, str]) -> None:
    board.arm(MSN, kind, times=1)

    asyncio.run(sender.send(job(), clock.now()))
    asyncio.run(sender.send(job(), clock.now()))

    assert [h for _, h in inner.posted] == [headers, {"secret": "s3cret", "signed": '{"a":1}'}]


def test_a_drop_sends_nothing_and_reports_success(sender: FaultyWebhookSender, inner: RecordingSender,
                                                  board: FaultBoard, clock: FakeClock) -> None:
    fault = board.arm(MSN, FaultKind.WEBHOOK_DROP)

    result = asyncio.run(sender.send(job(), clock.now()))

    assert result.accepted and result.error == f"dropped by fault {fault.id}: never sent"
    assert inner.posted == []


def test_a_delay_waits_for_kasses_clock(sender: FaultyWebhookSender, inner: RecordingSender,
                                        board: FaultBoard, clock: FakeClock) -> None:
    board.arm(MSN, FaultKind.WEBHOOK_DELAY, delay_seconds=30)

    async def scenario() -> list[int]:
        sending = asyncio.create_task(sender.send(job(), clock.now()))
        await asyncio.sleep(0.02)
        seen = [len(inner.posted)]
        clock.advance(timedelta(seconds=30))
        await sending
        return [*seen, len(inner.posted)]

    assert asyncio.run(scenario()) == [0, 1]


def test_a_reordered_delivery_goes_after_another_payments(sender: FaultyWebhookSender, inner: RecordingSender,
                                                          board: FaultBoard, clock: FakeClock) -> None:
    board.arm(MSN, FaultKind.WEBHOOK_REORDER, times=1)

    async def scenario() -> None:
        held = asyncio.create_task(sender.send(job("ref-a"), clock.now()))
        await asyncio.sleep(0)
        await sender.send(job("ref-b"), clock.now())
        await held

    asyncio.run(scenario())

    assert [ref for ref, _ in inner.posted] == ["ref-b", "ref-a"]


def test_a_reordered_delivery_goes_anyway_when_nothing_overtakes_it(sender: FaultyWebhookSender,
                                                                    inner: RecordingSender, board: FaultBoard,
                                                                    clock: FakeClock) -> None:
    board.arm(MSN, FaultKind.WEBHOOK_REORDER)

    result = asyncio.run(sender.send(job("ref-a"), clock.now()))

    assert result.accepted
    assert [ref for ref, _ in inner.posted] == ["ref-a"]
