"""Unmanned points against a real `kasse serve`: reserve the top price, capture the choice, release the rest."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kasse.pos import vending
from kasse.pos.sale import SaleStatus
from kasse.pos.service import PosService
from kasse.sdk import CheckedInEvent, parse_webhook_event
from tests.harness import ServerProcess
from tests.integration.pos_support import KARI, config, running_pos, settled, wallet_answer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("pos-vending") / "kasse.db").start()
    try:
        yield proc
    finally:
        proc.stop()


def scan(base_url: str, content: str) -> dict[str, object]:
    r = httpx.post(f"{base_url}/_kasse/wallet/{KARI}/scan", json={"content": content}, trust_env=False)
    assert r.status_code == 200, r.text
    found: dict[str, object] = r.json()
    return found


def test_a_check_in_reserves_the_highest_price_then_captures_the_choice_and_releases_the_rest(
        platform: ServerProcess, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_pos(config(platform.url, tmp_path / "pos.db")) as pos:
            qr = await vending.callback_qr(pos, "7")
            check_in = scan(platform.url, str(qr.qr_content))["checkIn"]
            event = parse_webhook_event(httpx.Response(200, json=check_in).content)  # as the webhook carries it
            assert isinstance(event, CheckedInEvent)
            await vending.on_check_in(pos, event)
            reserved = pos.store.latest_sale("vending-7")
            assert reserved is not None and reserved.total == 3500
            with pytest.raises(vending.ChoiceRefusedError):  # nothing is authorized yet: no item can be had
                await vending.choose(pos, "7", "crisps")
            assert pos.store.sale(reserved.reference) == reserved
            wallet_answer(platform.url, reserved.reference)
            await asyncio.wait_for(until_approved(pos, reserved.reference), 10)

            await vending.choose(pos, "7", "chocolate")
            sale = await settled(pos, reserved.reference)
            payment = await pos.client.payments.get(reserved.reference)

            assert (sale.status, sale.total, sale.captured) == (SaleStatus.PAID, 2500, 2500)
            agg = payment.aggregate
            assert (agg.authorized_amount.value, agg.captured_amount.value, agg.cancelled_amount.value) == (
                3500, 2500, 1000)

    asyncio.run(scenario())


async def until_approved(pos: PosService, reference: str) -> None:
    while "Choose your item" not in getattr(pos.store.sale(reference), "message", ""):
        await asyncio.sleep(0.02)
