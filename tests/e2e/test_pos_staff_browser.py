"""Staff sign-in in a real browser: a cashier sells but is refused a refund; a manager signs in and refunds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from kasse.cli import main
from tests.e2e.conftest import PHONE, shoot
from tests.harness import ServerProcess
from tests.integration.pos_support import KARI, wallet_answer

pytestmark = pytest.mark.slow
TABLET = {"width": 1180, "height": 820}
SIZES = {"phone": PHONE, "tablet-portrait": {"width": 820, "height": 1180}, "800x480": {"width": 800, "height": 480}}
CASHIER, MANAGER = ("Kari", "2468"), ("Mona", "correct horse battery")


@pytest.fixture
def staffed(tmp_path: Any) -> Iterator[ServerProcess]:
    """A loopback kasse whose POS has a cashier and a manager (added before it starts, as an operator would)."""
    database = str(tmp_path / "kasse.db")
    for (name, secret), role in ((CASHIER, "cashier"), (MANAGER, "manager")):
        added = CliRunner().invoke(main, ["pos", "staff", "add", name, "--role", role, "--pin", secret, "--db",
                                          database])
        assert added.exit_code == 0, added.output
    server = ServerProcess(tmp_path / "kasse.db").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def till(browser: Any, staffed: ServerProcess) -> Iterator[Any]:
    context = browser.new_context(viewport=TABLET, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


def sign_in(page: Any, url: str, name: str, secret: str, then: str = "/pos") -> None:
    page.goto(f"{url}/pos/signin?next={then}")
    page.fill("#staff-name", name)
    page.fill("#staff-pin", secret)
    page.click("#sign-in")
    page.wait_for_selector(f"#staff:has-text('{name}')")


def sell_a_latte(page: Any, url: str) -> str:
    page.goto(f"{url}/pos")
    page.click("button[data-product='latte']")
    page.wait_for_function("document.getElementById('total').textContent.startsWith('52,00')")
    page.click("#pay-phone")
    page.fill("#phone-input", KARI)
    page.press("#phone-input", "Enter")
    page.wait_for_selector("#status[data-status='pending']")
    reference: str = page.evaluate("fetch(location.origin + '/pos/api/terminals/till-1').then(r => r.json())"
                              ".then(s => s.sale.reference)")
    wallet_answer(url, reference)
    page.wait_for_selector("#status[data-status='paid']")
    return reference


def test_the_sign_in_page_fits_a_phone_a_tablet_and_a_small_till_screen(browser: Any,
                                                                       staffed: ServerProcess) -> None:
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        try:
            page = context.new_page()
            page.goto(f"{staffed.url}/pos/signin")
            page.fill("#staff-name", "Kari")
            page.fill("#staff-pin", "0000")
            page.click("#sign-in")
            page.wait_for_selector(".error")
            overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
            shoot(page, f"pos-30-signin-{size}")

            assert not overflow, size
            assert page.is_visible("#sign-in")
        finally:
            context.close()


def test_a_cashier_is_refused_a_refund_that_a_manager_then_makes(till: Any, staffed: ServerProcess) -> None:
    url = staffed.url
    sign_in(till, url, *CASHIER)
    assert till.inner_text("#staff").startswith("Kari · cashier")
    reference = sell_a_latte(till, url)
    shoot(till, "pos-31-cashier-paid")

    till.goto(f"{url}/pos/sales/{reference}")
    offered = till.locator("#refund-amount").count()
    note = till.inner_text("#refund-needs-manager")
    csrf = next(c["value"] for c in till.context.cookies() if c["name"] == "kasse_csrf")
    forced = till.request.post(f"{url}/pos/sales/{reference}/refund", form={"full": "1", "csrf_token": csrf},
                               max_redirects=0)
    till.goto(f"{url}/pos/catalogue")
    shoot(till, "pos-32-cashier-catalogue-refused")
    refused_page = till.inner_text("h1")

    assert offered == 0 and note.startswith("Refunds need a manager")
    assert forced.status == 403 and "Managers only" in forced.text()
    assert refused_page == "Managers only"

    till.click("text=Sign in as a manager")
    till.fill("#staff-name", MANAGER[0])
    till.fill("#staff-pin", MANAGER[1])
    till.click("#sign-in")
    till.wait_for_selector("#staff:has-text('Mona · manager')")
    till.goto(f"{url}/pos/sales/{reference}")
    till.fill("#refund-amount", "20,00")
    till.click("text=Refund part")
    till.wait_for_selector("#refunded:has-text('20,00 kr')")
    shoot(till, "pos-33-manager-refunded")
    till.click("#staff button:has-text('Sign out')")
    till.wait_for_url(f"{url}/pos/signin")


def test_the_header_shows_who_is_signed_in_on_a_phone(browser: Any, staffed: ServerProcess) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        sign_in(page, staffed.url, *CASHIER)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        shoot(page, "pos-34-cashier-phone")

        assert not overflow
        assert page.is_visible("#staff button:has-text('Sign out')")
    finally:
        context.close()
