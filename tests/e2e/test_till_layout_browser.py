"""Where things land on the screens a shop really has: an iPad in portrait, an 800 × 480 customer display,
a small till screen and a phone (#13.6). Boxes are measured, so a layout that hides them fails."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import PHONE, shoot
from tests.harness import ServerProcess

pytestmark = pytest.mark.slow
IPAD_PORTRAIT = {"width": 820, "height": 1180}
SMALL_SCREEN = {"width": 800, "height": 480}
BOX = "(el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"


@pytest.fixture
def context(browser: Any, server: ServerProcess) -> Iterator[Any]:
    made = browser.new_context(viewport=IPAD_PORTRAIT, device_scale_factor=1)
    try:
        yield made
    finally:
        made.close()


def inside(page: Any, selector: str) -> list[str]:
    """Return the selector's elements that are not wholly inside the viewport, unscrolled (empty: all inside)."""
    size = page.viewport_size
    outside = []
    for i, element in enumerate(page.query_selector_all(selector)):
        left, top, right, bottom = element.evaluate(BOX)
        if not (element.is_visible() and left >= 0 and top >= 0 and right <= size["width"]
                and bottom <= size["height"]):
            outside.append(f"{selector}[{i}] at {left:.0f},{top:.0f}-{right:.0f},{bottom:.0f}")
    return outside


def test_the_till_keeps_its_products_and_the_display_link_in_view(context: Any, server: ServerProcess) -> None:
    page = context.new_page()
    missing: dict[str, list[str]] = {}
    for viewport in (IPAD_PORTRAIT, SMALL_SCREEN, PHONE):
        page.set_viewport_size(viewport)
        page.goto(f"{server.url}/pos")
        size = f"{viewport['width']}x{viewport['height']}"
        shoot(page, f"till-layout-{size}")
        missing[size] = inside(page, ".display-link")
        if viewport is not PHONE:  # a tablet or a till screen: every product, and the ways to pay beside them
            missing[size] += inside(page, ".product") + inside(page, ".method")

    assert len(page.query_selector_all(".product")) >= 12
    assert missing == {"820x1180": [], "800x480": [], "390x844": []}


def test_the_qr_fits_an_800x480_customer_display(context: Any, server: ServerProcess) -> None:
    cashier = context.new_page()
    cashier.goto(f"{server.url}/pos")
    for product in ("cappuccino", "cinnamon-bun"):
        cashier.click(f"button[data-product='{product}']")
    cashier.wait_for_function("document.getElementById('total').textContent.startsWith('91,00')")
    display = context.new_page()
    display.set_viewport_size(SMALL_SCREEN)
    display.goto(f"{server.url}/pos/display/till-1")

    cashier.click("#pay-qr")
    display.wait_for_function("document.getElementById('qr-image').naturalWidth > 0")
    shoot(display, "display-qr-800x480")

    assert inside(display, ".qr-frame") == []
    assert inside(display, "#qr-amount") == []
    width = display.eval_on_selector("#qr-image", "el => el.getBoundingClientRect().width")
    assert width >= 240  # still a code a phone reads from a step away
