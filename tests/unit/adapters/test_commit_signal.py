"""The commit signal wakes a subscriber only for the topics it waits for (issue #17: loops sleep through creates)."""

from __future__ import annotations

import asyncio

from kasse.adapters.commit_signal import CommitSignal
from kasse.services.topics import CLOCK, DELIVERIES, EVENTS, PAYMENTS, WALLET


def test_a_loop_is_woken_only_by_its_own_topics() -> None:
    async def run() -> tuple[bool, bool, bool]:
        signal = CommitSignal()
        deliveries = signal.subscribe(DELIVERIES, CLOCK)
        signal.notify({PAYMENTS, EVENTS})  # a create: no delivery was queued
        await asyncio.sleep(0)
        after_create = deliveries.is_set()
        signal.notify({WALLET})
        await asyncio.sleep(0)
        after_wallet = deliveries.is_set()
        signal.notify({PAYMENTS, EVENTS, DELIVERIES})
        await asyncio.sleep(0)
        return after_create, after_wallet, deliveries.is_set()

    assert asyncio.run(run()) == (False, False, True)


def test_a_subscriber_of_no_topic_in_particular_hears_every_commit() -> None:
    async def run() -> bool:
        signal = CommitSignal()
        everything = signal.subscribe()
        signal.notify({EVENTS})
        await asyncio.sleep(0)
        return everything.is_set()

    assert asyncio.run(run())
