"""A separate `kasse worker` applies the webhook faults armed through `kasse serve` (issue #17), on SQLite as on
PostgreSQL: the faults live in the store, and the worker reads them for every delivery it sends."""

from __future__ import annotations

from pathlib import Path

import pytest

from kasse.domain.webhook_registration import PAYMENT_EVENTS
from tests.harness import DEMO_CREDENTIALS, ApiSession, create_body, new_reference
from tests.integration.webhook_receiver import deliveries, http_client, poll, receiving, register
from tests.integration.webhooks.test_webhooks_processes import server_with_worker

pytestmark = pytest.mark.slow


def test_a_webhook_fault_armed_through_the_server_is_applied_by_the_worker_its_times_counted(tmp_path: Path) -> None:
    with (server_with_worker(tmp_path / "kasse.db", "--no-worker") as (server, _worker),
          receiving() as receiver, http_client(server.url) as client):
        demo = ApiSession(client, DEMO_CREDENTIALS)
        register(demo, receiver.url(), PAYMENT_EVENTS[:1])
        armed = client.post("/_kasse/faults", json={"msn": DEMO_CREDENTIALS.msn, "kind": "webhook.drop", "times": 2})
        assert armed.status_code == 201
        refs = [new_reference("worker-fault") for _ in range(3)]

        for ref in refs:
            assert demo.create(create_body(ref)).status_code == 201
            poll(lambda ref=ref: deliveries(client, ref), lambda ds: ds and ds[0]["state"] == "DELIVERED")
        receiver.wait_for(lambda got: len(got) >= 1)
        left = client.get("/_kasse/faults", params={"msn": DEMO_CREDENTIALS.msn}).json()["faults"]

    assert [receiver.names(ref) for ref in refs] == [[], [], ["CREATED"]]
    assert left == []
