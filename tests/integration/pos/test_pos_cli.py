"""`kasse demo` and `kasse pos reconcile` from the command line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner

from kasse.cli import main
from tests.harness import DEMO_CREDENTIALS, ServerProcess
from tests.integration.pos_support import KARI, ShortCaptureTransport, config, running_pos, settled, wallet_answer

POS_UNIT = {"KASSE_POS_MSN": DEMO_CREDENTIALS.msn, "KASSE_POS_CLIENT_ID": DEMO_CREDENTIALS.client_id,
            "KASSE_POS_CLIENT_SECRET": DEMO_CREDENTIALS.client_secret,
            "KASSE_POS_SUBSCRIPTION_KEY": DEMO_CREDENTIALS.subscription_key}

pytestmark = pytest.mark.slow


def test_the_demo_runs_the_four_scenarios_and_prints_their_timelines() -> None:
    result = CliRunner().invoke(main, ["demo"])

    assert result.exit_code == 0, result.output
    for step in ("userFlow=QR", "webhook epayments.payment.authorized.v1", "/qr/v1/exchange",
                 "No Vipps MobilePay user has this phone number", "user.checked-in.v1",
                 "the rest of the reserved 35,00 kr was released", "All four scenarios paid"):
        assert step in result.output
    assert result.output.count("equals the sale total: PAID") == 4


def test_reconcile_lists_a_short_capture_and_exits_1(server: ServerProcess, tmp_path: Path) -> None:
    database = tmp_path / "pos.db"

    async def short_sale() -> str:
        async with running_pos(config(server.url, database), ShortCaptureTransport(100)) as pos:
            pos.store.save_cart("till-1", {"espresso": 1})
            sale = await pos.checkout("till-1", "phone", KARI)
            wallet_answer(server.url, sale.reference)
            return (await settled(pos, sale.reference)).reference

    reference = asyncio.run(short_sale())
    result = CliRunner().invoke(main, ["pos", "reconcile", "--url", server.url, "--pos-db", str(database)],
                                env=POS_UNIT)  # the POS above sold for the demo unit, not the till's own

    assert result.exit_code == 1, result.output
    assert reference in result.output and "the capture response showed 3800 of 3900" in result.output
    assert "1 sales compared, 1 difference(s)" in result.output
