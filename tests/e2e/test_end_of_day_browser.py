"""The end-of-day page in a real browser: reached from the till's navigation, readable at a phone's, a portrait
tablet's and an 800×480 till screen's size (screenshots in tests/e2e/screenshots/), and printable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import PHONE, shoot
from tests.e2e.eod_day import SalesDay, kasse, sell_a_day
from tests.harness import ServerProcess

pytestmark = pytest.mark.slow
SIZES = {"phone": PHONE, "tablet-portrait": {"width": 820, "height": 1180},
         "till-800x480": {"width": 800, "height": 480}}


@pytest.fixture(scope="module")
def closed_day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, SalesDay]]:
    proc = ServerProcess(tmp_path_factory.mktemp("end-of-day-browser") / "kasse.db").start()
    try:
        day = sell_a_day(proc)
        assert kasse(proc, "clock", "advance", "1d").exit_code == 0
        yield proc, day
    finally:
        proc.stop()


@pytest.mark.parametrize("size", list(SIZES))
def test_the_end_of_day_opens_from_the_till_and_fits_the_screen(browser: Any, closed_day: tuple[ServerProcess,
                                                                                                 SalesDay],
                                                                 size: str) -> None:
    server, day = closed_day
    context = browser.new_context(viewport=SIZES[size], device_scale_factor=1)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{server.url}/pos")
        page.click("nav >> text=End of day")
        page.fill("#eod-date", day.day.isoformat())
        page.click("form.eod-pick button[type=submit]")

        page.wait_for_selector("#verdict:has-text('No differences.')")
        payout = page.inner_text("#payout")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        shoot(page, f"end-of-day-{size}")

        assert page.url.endswith(f"/pos/end-of-day?date={day.day.isoformat()}")
        assert payout.endswith(" kr") and payout != "0,00 kr" and page.inner_text("#expected-payout") == payout
        assert page.locator("#scenarios tbody tr").count() == 4
        assert overflow <= 0, f"the page is {overflow}px wider than the {size} screen"
    finally:
        context.close()


def test_printing_leaves_out_the_navigation_and_the_controls(browser: Any,
                                                             closed_day: tuple[ServerProcess, SalesDay]) -> None:
    server, day = closed_day
    context = browser.new_context(viewport=SIZES["tablet-portrait"], device_scale_factor=1)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/pos/end-of-day?date={day.day.isoformat()}")
        page.emulate_media(media="print")
        shoot(page, "end-of-day-print")

        assert not page.is_visible("header.bar") and not page.is_visible("form.eod-pick")
        assert page.is_visible("#scenarios") and page.is_visible("#vat") and page.is_visible("#payout")
    finally:
        context.close()
