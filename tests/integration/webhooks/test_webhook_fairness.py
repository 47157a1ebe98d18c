"""One sales unit's dead receivers do not starve another's webhooks (issue #12 item 6; bench/webhook_fairness.py
runs the issue's 3,900 deliveries against a real server).

Unit A's receivers never answer, so each of its sends holds a slot until released; unit B's webhook must
still go out at once, and A never holds more than its share.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from kasse.domain.delivery_shares import share
from kasse.domain.webhook_delivery import DeliveryJob
from kasse.services.deliveries import AttemptResult
from kasse.workers.delivery import DeliveryLoop
from tests.harness import ApiSession, InProcessKasse, create_body, in_process, new_reference
from tests.integration.webhook_receiver import register

SLOTS = 8
CREATED = "epayments.payment.created.v1"
DEAD, LIVE = "http://127.0.0.1:9/dead", "http://127.0.0.1:9/live"  # never dialled: the sender below is a fake


class Receivers:
    """A fake sender: A's receivers hang until released, B's answer at once."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.live = asyncio.Event()
        self.hanging = 0
        self.most_hanging = 0

    async def send(self, job: DeliveryJob, sent_at: datetime) -> AttemptResult:
        if job.url.startswith(LIVE):
            self.live.set()
            return AttemptResult(job, sent_at, 200, 1, None)
        self.hanging += 1
        self.most_hanging = max(self.most_hanging, self.hanging)
        await self.release.wait()
        self.hanging -= 1
        return AttemptResult(job, sent_at, None, 10_000, "no answer within 10 s")

    async def aclose(self) -> None:
        return None


@pytest.fixture
def quiet(tmp_path: Path) -> Iterator[InProcessKasse]:
    yield from in_process(tmp_path, run_worker=False, rate_limits=False)  # only the loop below delivers


async def _b_waits_while_a_floods(k: InProcessKasse, a: ApiSession, b: ApiSession) -> tuple[float, int]:
    receivers = Receivers()
    loop = DeliveryLoop(k.container.db, k.container.clock, k.container.ids, receivers, k.container.commits,
                        max_in_flight=SLOTS)
    stop = asyncio.Event()
    running = asyncio.create_task(loop.run(stop))
    try:
        while receivers.hanging < share(SLOTS, 1):  # A has taken every slot it may
            await asyncio.sleep(0.01)
        started = asyncio.get_running_loop().time()
        assert (await asyncio.to_thread(b.create, create_body(new_reference()))).status_code == 201
        await asyncio.wait_for(receivers.live.wait(), timeout=5)
        waited = asyncio.get_running_loop().time() - started
    finally:
        receivers.release.set()
        stop.set()
        await running
    return waited, receivers.most_hanging


def test_a_units_webhook_goes_out_while_another_units_receivers_hold_their_share(quiet: InProcessKasse) -> None:
    a, b = quiet.demo, quiet.session(quiet.demo.new_merchant(name="unit B"))
    for n in range(3):
        register(a, f"{DEAD}/{n}", [CREATED])
    register(b, LIVE, [CREATED])
    for _ in range(10):  # 30 deliveries for 8 slots, none of which will come back
        assert a.create(create_body(new_reference())).status_code == 201

    waited, most_hanging = asyncio.run(_b_waits_while_a_floods(quiet, a, b))

    assert waited < 2.0
    assert most_hanging == share(SLOTS, 1) < SLOTS
