"""Browser tests: Playwright driving Debian's Chromium at /usr/bin/chromium (never a downloaded browser).

`make test` installs Chromium with apt when it is missing; where there is none the browser tests skip.
Every test runs in a phone-sized page (390 × 844) and may save screenshots to tests/e2e/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness import ServerProcess

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
PHONE = {"width": 390, "height": 844}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # module scope, never session: Playwright's sync API keeps an event loop running in the main thread while
    # it is open, and tests after these that call asyncio.run() there would fail
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (make test installs it with apt)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def phone(browser: Any, server: ServerProcess) -> Iterator[Any]:
    """A fresh phone-sized page with its own cookies, closed before its server stops.

    Asking for `server` orders the teardowns: a page still holding the wallet's event stream kept the
    stopping server waiting out its 10 s grace period.
    """
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


def shoot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot of the page as tests/e2e/screenshots/<name>.png (gitignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
