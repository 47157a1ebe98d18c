"""The POS's settlement against a real `kasse serve`: polling, the capture check, refusals, restarts, refunds."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from kasse.pos.cart import Product
from kasse.pos.payment_request import REFUSALS, CheckoutError
from kasse.pos.reconcile import reconcile
from kasse.pos.sale import MESSAGES, Outcome, SaleStatus
from tests.harness import ServerProcess, advance_clock
from tests.integration.pos_support import KARI, ShortCaptureTransport, config, running_pos, settled, wallet_answer

pytestmark = pytest.mark.slow
CART = {"cappuccino": 2, "croissant": 1}  # 2 × 49,00 + 32,00
TOTAL = 13000


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> ServerProcess:
    proc = ServerProcess(tmp_path_factory.mktemp("pos-platform") / "kasse.db").start()
    yield proc
    proc.stop()


def test_with_no_webhook_at_all_polling_alone_captures_and_pays_the_sale(platform: ServerProcess,
                                                                          tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_pos(config(platform.url, tmp_path / "pos.db")) as pos:
            pos.store.save_cart("till-1", CART)
            sale = await pos.checkout("till-1", "phone", "123 45 678")  # typed as a cashier would
            wallet_answer(platform.url, sale.reference)

            paid = await settled(pos, sale.reference)
            payment = await pos.client.payments.get(sale.reference)

            assert (paid.status, paid.captured, paid.total) == (SaleStatus.PAID, TOTAL, TOTAL)
            assert payment.aggregate.captured_amount.value == TOTAL
            assert pos.store.cart("till-1") == {}

    asyncio.run(scenario())


def test_a_capture_that_comes_back_short_is_flagged_and_never_paid(platform: ServerProcess, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_pos(config(platform.url, tmp_path / "pos.db"), ShortCaptureTransport(100)) as pos:
            pos.store.save_cart("till-1", CART)
            sale = await pos.checkout("till-1", "phone", KARI)
            wallet_answer(platform.url, sale.reference)

            flagged = await settled(pos, sale.reference)
            found = await reconcile(pos.client, pos.store)

            assert flagged.status is SaleStatus.MISMATCH
            assert flagged.captured == TOTAL - 100
            assert flagged.message == MESSAGES[Outcome.CAPTURED_SHORT]
            assert [d.reference for d in found] == [sale.reference]
            assert "capture check failed" in found[0].problem

    asyncio.run(scenario())


def test_a_sale_pending_when_the_pos_stopped_is_settled_after_a_restart(platform: ServerProcess,
                                                                        tmp_path: Path) -> None:
    cfg = config(platform.url, tmp_path / "pos.db", first_poll=3600.0, poll_interval=3600.0)

    async def before() -> str:
        async with running_pos(cfg, poll=False) as pos:
            pos.store.save_cart("till-1", CART)
            return (await pos.checkout("till-1", "phone", KARI)).reference

    async def after(reference: str) -> None:
        async with running_pos(cfg) as pos:
            assert pos.recover() == 1

            paid = await settled(pos, reference)

            assert (paid.status, paid.captured) == (SaleStatus.PAID, TOTAL)

    reference = asyncio.run(before())
    wallet_answer(platform.url, reference)  # approved while the POS was down
    asyncio.run(after(reference))


@pytest.mark.parametrize(("action", "amount", "outcome"), [
    ("reject", TOTAL, Outcome.REJECTED),
    ("approve", 151, Outcome.DECLINED),  # contract §9: 1,51 is declined as insufficient funds
])
def test_a_customer_refusal_fails_the_sale_with_its_own_message(platform: ServerProcess, tmp_path: Path,
                                                                action: str, amount: int, outcome: Outcome) -> None:
    async def scenario() -> None:
        async with running_pos(config(platform.url, tmp_path / "pos.db")) as pos:
            pos.store.save_product(Product("priced", "Priced item", amount, 2500))
            pos.store.save_cart("till-1", {"priced": 1})
            sale = await pos.checkout("till-1", "phone", KARI)
            wallet_answer(platform.url, sale.reference, action)

            failed = await settled(pos, sale.reference)

            assert (failed.status, failed.message) == (SaleStatus.FAILED, MESSAGES[outcome])

    asyncio.run(scenario())


def test_an_unknown_phone_number_fails_at_once_with_the_7010_message(platform: ServerProcess, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_pos(config(platform.url, tmp_path / "pos.db")) as pos:
            pos.store.save_cart("till-1", CART)

            sale = await pos.checkout("till-1", "phone", "+47 400 00 001")

            assert (sale.status, sale.message) == (SaleStatus.FAILED, REFUSALS["7010"])
            assert pos.store.cart("till-1") == CART  # kept, so the cashier can try another way

    asyncio.run(scenario())


def test_the_cashier_cancels_a_pending_sale(platform: ServerProcess, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_pos(config(platform.url, tmp_path / "pos.db", first_poll=3600.0)) as pos:
            pos.store.save_cart("till-1", CART)
            sale = await pos.checkout("till-1", "qr")

            cancelled = await pos.cancel(sale.reference)

            assert cancelled is not None and cancelled.status is SaleStatus.CANCELLED
            assert (await pos.client.payments.get(sale.reference)).state.value == "TERMINATED"

    asyncio.run(scenario())


def test_partial_then_full_refunds_follow_the_platform(platform: ServerProcess, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_pos(config(platform.url, tmp_path / "pos.db")) as pos:
            pos.store.save_cart("till-1", CART)
            sale = await pos.checkout("till-1", "phone", KARI)
            wallet_answer(platform.url, sale.reference)
            await settled(pos, sale.reference)

            part = await pos.refund(sale.reference, 3200)
            rest = await pos.refund(sale.reference, TOTAL - 3200)

            assert (part.refunded, rest.refunded) == (3200, TOTAL)
            assert (await pos.client.payments.get(sale.reference)).aggregate.refunded_amount.value == TOTAL
            assert await reconcile(pos.client, pos.store) == []

    asyncio.run(scenario())


def test_an_unanswered_qr_sale_fails_as_expired_when_the_platform_expires_it(server: ServerProcess,
                                                                           tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_pos(config(server.url, tmp_path / "pos.db")) as pos:
            pos.store.save_cart("till-1", CART)
            sale = await pos.checkout("till-1", "qr")
            with httpx.Client(base_url=server.url, trust_env=False) as control:
                advance_clock(control, 11 * 60)  # contract §4.12: unanswered after 10 minutes

            expired = await settled(pos, sale.reference)

            assert (expired.status, expired.message) == (SaleStatus.FAILED, MESSAGES[Outcome.EXPIRED])

    asyncio.run(scenario())


@pytest.mark.parametrize("exchange", [True, False])
def test_a_scanned_personal_qr_is_exchanged_or_sent_verbatim_and_paid(platform: ServerProcess, tmp_path: Path,
                                                                      exchange: bool) -> None:
    with httpx.Client(base_url=platform.url, trust_env=False) as control:
        content = control.get(f"/_kasse/users/{KARI}").json()["personalQr"]["tokenized"]

    async def scenario() -> None:
        async with running_pos(config(platform.url, tmp_path / "pos.db", exchange_personal_qr=exchange)) as pos:
            pos.store.save_cart("till-1", CART)
            sale = await pos.checkout("till-1", "scan", content + "\n")  # as the scanner typed it
            wallet_answer(platform.url, sale.reference)

            paid = await settled(pos, sale.reference)

            assert (paid.status, paid.captured) == (SaleStatus.PAID, TOTAL)

    asyncio.run(scenario())


def test_a_scan_that_is_no_personal_qr_is_refused_with_advice(platform: ServerProcess, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_pos(config(platform.url, tmp_path / "pos.db")) as pos:
            pos.store.save_cart("till-1", CART)

            with pytest.raises(CheckoutError) as refused:
                await pos.checkout("till-1", "scan", "https://example.com/not-a-wallet")

            assert refused.value.message == REFUSALS["4060"]
            assert pos.store.latest_sale("till-1") is None

    asyncio.run(scenario())
