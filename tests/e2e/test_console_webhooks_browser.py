"""The console's Webhooks page in a real browser: a test event and a redelivery reach a loopback receiver, signed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from kasse.domain.webhook_signature import verify
from tests.e2e.conftest import shoot
from tests.harness import DEMO_CREDENTIALS, ApiSession, ServerProcess, create_body, new_reference
from tests.integration.webhook_receiver import deliveries, poll, receiving, register

pytestmark = pytest.mark.slow
CREATED = "epayments.payment.created.v1"


@pytest.fixture
def pos(server: ServerProcess) -> Any:
    with httpx.Client(base_url=server.url, timeout=15.0, trust_env=False) as client:
        yield ApiSession(client, DEMO_CREDENTIALS)


def test_a_test_event_sent_from_the_page_arrives_signed(phone: Any, server: ServerProcess, pos: ApiSession) -> None:
    with receiving() as receiver:
        url = receiver.url()
        hook = register(pos, url, [CREATED])
        phone.goto(f"{server.url}/console/webhooks")

        phone.click(f"button[aria-label='Send a test event to {url}']")

        phone.wait_for_selector(".notice >> text=Test event queued")
        (got,) = receiver.wait_for(lambda got: len(got) == 1)
        verify(got.headers, got.body, hook["secret"], url, now=datetime.now(UTC))
        assert got.json["reference"].startswith("test-event-")
        phone.wait_for_selector("#deliveries tr[data-state='DELIVERED']")  # live: the page reloads by itself
        shoot(phone, "console-webhooks-test-event")


def test_a_delivery_is_redelivered_from_the_page(phone: Any, server: ServerProcess, pos: ApiSession) -> None:
    with receiving() as receiver:
        register(pos, receiver.url(), [CREATED])
        ref = new_reference("redeliver")
        pos.create(create_body(ref))
        receiver.wait_for(lambda got: len(got) == 1)
        phone.goto(f"{server.url}/console/webhooks?reference={ref}")
        row = phone.locator("#deliveries tr[data-delivery]")
        assert ref in row.inner_text()

        row.locator("button:text('Redeliver')").click()

        phone.wait_for_selector(".notice >> text=is queued again")
        second = receiver.wait_for(lambda got: len(got) == 2)
        assert second[1].body == second[0].body
        poll(lambda: deliveries(pos.client, ref), lambda ds: ds and ds[0]["attemptCount"] == 2)
        phone.goto(f"{server.url}/console/webhooks?reference={ref}")
        phone.wait_for_selector("#deliveries li:has-text('#2')")
        phone.click(f"#deliveries a:text('{ref}')")
        assert phone.url.endswith(f"/console/payments/123456/{ref}")
