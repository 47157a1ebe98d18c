"""The POS records the pspReference of each capture and refund it makes, from a real `kasse serve`'s event log."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from kasse.pos.confirmations import confirm_all
from kasse.pos.movement import Movement, MovementKind
from kasse.pos.service import PosService
from kasse.sdk import Amount, PaymentEventName
from tests.harness import ServerProcess
from tests.integration.pos_support import KARI, config, running_pos, settled, wallet_answer

pytestmark = pytest.mark.slow


async def confirmed_movements(pos: PosService, reference: str, timeout: float = 10.0) -> list[Movement]:
    """The sale's movements once the POS has confirmed them (it does so just after marking the sale settled)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = pos.store.movements(reference)
        if found and all(m.confirmed for m in found):
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"movements of {reference} not confirmed: {pos.store.movements(reference)}")


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("pos-movements") / "kasse.db").start()
    yield proc
    proc.stop()


def test_captures_and_refunds_carry_their_own_events_psp_references_and_times(platform: ServerProcess,
                                                                             tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_pos(config(platform.url, tmp_path / "pos.db")) as pos:
            pos.store.save_cart("till-1", {"espresso": 2})
            sale = await pos.checkout("till-1", "phone", KARI)
            wallet_answer(platform.url, sale.reference)
            await settled(pos, sale.reference)
            await pos.refund(sale.reference, 1000)

            events = await pos.client.payments.events(sale.reference)
            moves = pos.store.movements(sale.reference)

            shown = {e.name: (e.psp_reference, e.timestamp.timestamp(), e.amount.value) for e in events}
            assert [(m.kind, m.psp_reference, m.at, m.amount) for m in moves] == [
                (MovementKind.CAPTURE, *shown[PaymentEventName.CAPTURED]),
                (MovementKind.REFUND, *shown[PaymentEventName.REFUNDED])]
            assert moves[0].psp_reference != (await pos.client.payments.get(sale.reference)).psp_reference

    asyncio.run(scenario())


def test_a_refund_made_outside_the_pos_is_not_taken_for_one_of_its_own(platform: ServerProcess,
                                                                       tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_pos(config(platform.url, tmp_path / "pos.db")) as pos:
            pos.store.save_cart("till-1", {"espresso": 1})
            sale = await pos.checkout("till-1", "phone", KARI)
            wallet_answer(platform.url, sale.reference)
            await settled(pos, sale.reference)

            await pos.client.payments.refund(sale.reference, Amount.nok(500), idempotency_key="back-office-1")
            await confirm_all(pos.client, pos.store)

            assert [m.kind for m in pos.store.movements(sale.reference)] == [MovementKind.CAPTURE]

    asyncio.run(scenario())


def test_a_capture_left_unconfirmed_by_a_crash_is_confirmed_later(platform: ServerProcess, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_pos(config(platform.url, tmp_path / "pos.db")) as pos:
            pos.store.save_cart("till-1", {"espresso": 1})
            sale = await pos.checkout("till-1", "phone", KARI)
            wallet_answer(platform.url, sale.reference)
            await settled(pos, sale.reference)
            (confirmed,) = await confirmed_movements(pos, sale.reference)
            crashed = replace(confirmed, psp_reference=None, at=None)  # written before the capture, then a crash
            pos.store.replace_movements([confirmed.idempotency_key], [crashed])

            asked = await confirm_all(pos.client, pos.store)

            assert asked == 1 and pos.store.movements(sale.reference) == [confirmed]

    asyncio.run(scenario())
