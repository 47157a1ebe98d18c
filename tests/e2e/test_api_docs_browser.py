"""The API docs in a browser with no internet: /docs and /redoc render every operation, and Authorize works.

The browser context refuses every request that leaves this machine, as a classroom without a connection
would, and records it: the pages must not even try (issue #15.5).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.conftest import shoot
from tests.harness import DEMO_CREDENTIALS, ServerProcess

LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
DESKTOP = {"width": 1280, "height": 900}


class Offline:
    """A browser context whose requests may reach loopback only; what else was tried is kept."""

    def __init__(self, browser: Any, viewport: dict[str, int]) -> None:
        self.context = browser.new_context(viewport=viewport)
        self.refused: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname in LOOPBACK:
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()


@pytest.fixture
def offline(browser: Any, server: ServerProcess) -> Iterator[Offline]:
    found = Offline(browser, DESKTOP)
    try:
        yield found
    finally:
        found.context.close()


def test_swagger_ui_renders_every_operation_offline(offline: Offline, server: ServerProcess) -> None:
    document = httpx.get(f"{server.url}/openapi.json").json()
    summaries = {op["summary"] for ops in document["paths"].values() for op in ops.values()}
    page = offline.page

    page.goto(f"{server.url}/docs")
    page.locator(".opblock").first.wait_for()

    shown = set(page.locator(".opblock-summary-description").all_inner_texts())
    assert summaries - shown == set()
    assert offline.refused == []
    shoot(page, "api-docs-swagger")


def test_authorize_with_a_sales_units_token_then_try_an_operation(offline: Offline, server: ServerProcess) -> None:
    creds = DEMO_CREDENTIALS
    token = httpx.post(f"{server.url}/accesstoken/get", headers=creds.token_headers()).json()["access_token"]
    page = offline.page
    page.goto(f"{server.url}/docs")
    page.locator(".opblock").first.wait_for()

    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".dialog-ux")
    for scheme, value in (("accessToken", token), ("subscriptionKey", creds.subscription_key),
                          ("merchantSerialNumber", creds.msn)):
        block = dialog.locator(".auth-container").filter(has_text=scheme)
        block.locator("input").fill(value)
        block.locator("button.authorize").click()
    dialog.locator("button.close-modal").click()
    operation = page.locator("#operations-Webhooks-getWebhooks")
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()

    status = operation.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert "webhooks" in operation.locator(".live-responses-table .microlight").first.inner_text()
    assert offline.refused == []
    shoot(page, "api-docs-authorized")


def test_redoc_renders_the_operations_offline(offline: Offline, server: ServerProcess) -> None:
    page = offline.page

    page.goto(f"{server.url}/redoc")
    page.get_by_role("heading", name="Create a payment").first.wait_for()

    headings = set(page.get_by_role("heading").all_inner_texts())
    assert {"Capture", "Refund", "Register a webhook", "Map a MobilePay beacon QR"} <= headings
    assert offline.refused == []
    shoot(page, "api-docs-redoc", full_page=False)  # the whole reference is tens of screens tall
