"""Recording the official APIs' requests: who, which payment, how it went; never a secret; bounded retention."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from kasse.services.read_models import RequestRecord
from tests.harness import DEMO_CREDENTIALS, InProcessKasse, advance_clock, create_body, in_process, new_reference


def flushed(kasse: InProcessKasse) -> None:
    """Wait until everything the server queued so far is stored (the recorder's flush is a barrier)."""
    recorder = kasse.container.requests
    assert recorder is not None
    kasse.client.portal.call(recorder.flush)  # type: ignore[attr-defined]


def logged(kasse: InProcessKasse, **filters: Any) -> list[RequestRecord]:
    flushed(kasse)
    return list(kasse.container.db.read(lambda uow: uow.request_log.search(limit=1000, **filters)))


def raw_table(kasse: InProcessKasse) -> str:
    flushed(kasse)
    return repr(kasse.container.db.read(lambda uow: uow.conn.execute("SELECT * FROM request_log").fetchall()))


def test_no_secret_a_request_or_its_answer_carried_is_stored(kasse: InProcessKasse) -> None:
    demo = kasse.demo
    webhook = kasse.client.post("/webhooks/v1/webhooks", headers=demo.headers(),
                                json={"url": "http://127.0.0.1:9/hook", "events": ["epayments.payment.created.v1"]})
    partner = kasse.client.post("/_kasse/partners", json={"name": "acct"}).json()
    basic = base64.b64encode(f"{partner['clientId']}:{partner['clientSecret']}".encode()).decode()
    kasse.client.post("/miami/v1/token", headers={"Authorization": f"Basic {basic}"},
                      content=b"grant_type=client_credentials",
                      )
    kasse.client.post("/miami/v1/token", headers={"content-type": "application/x-www-form-urlencoded"},
                      content=f"grant_type=client_credentials&client_secret={partner['clientSecret']}".encode())
    kasse.client.post("/webhooks/v1/webhooks", headers=demo.headers(),
                      content=b'{"url": "x", "secret": "typed-by-hand-' + b'secret", broken')
    demo.create(create_body(new_reference()))

    table = raw_table(kasse)

    secrets = {"client secret": DEMO_CREDENTIALS.client_secret, "client id": DEMO_CREDENTIALS.client_id,
               "subscription key": DEMO_CREDENTIALS.subscription_key, "access token": demo.token,
               "webhook secret": webhook.json()["secret"], "partner secret": partner["clientSecret"],
               "basic credentials": basic, "malformed body's secret": "typed-by-hand-secret",
               "cookie": kasse.client.cookies["kasse_csrf"]}
    assert webhook.status_code == 201 and "/webhooks/v1/webhooks" in table and "/miami/v1/token" in table
    assert [name for name, secret in secrets.items() if secret in table] == []


def test_a_create_is_logged_with_its_unit_reference_key_status_and_bodies(kasse: InProcessKasse) -> None:
    reference, key = new_reference(), uuid.uuid4().hex

    kasse.demo.create(create_body(reference), key=key)
    kasse.demo.get(reference)

    create, read = logged(kasse, msn=DEMO_CREDENTIALS.msn, reference=reference)
    assert (create.method, create.path, create.status, create.idempotency_key) == (
        "POST", "/epayment/v1/payments", 201, key)
    assert reference in create.request_body and reference in create.response_body and create.duration_ms > 0
    assert (read.method, read.path, read.status) == ("GET", f"/epayment/v1/payments/{reference}", 200)
    assert create.request_headers["authorization"] == "[redacted]"


def test_refused_requests_are_logged_with_the_unit_they_named(kasse: InProcessKasse) -> None:
    kasse.client.post("/epayment/v1/payments", json=create_body(new_reference()),
                      headers={"Authorization": "Bearer nonsense", "Merchant-Serial-Number": "999999"})

    (refused,) = logged(kasse, msn="999999")

    assert refused.status == 401 and "nonsense" not in repr(refused)


def test_kasses_own_pages_and_control_plane_are_not_logged(kasse: InProcessKasse) -> None:
    kasse.client.get("/_kasse/clock")
    kasse.client.get("/wallet")

    paths = {r.path for r in logged(kasse)}

    assert not any(p.startswith(("/_kasse", "/wallet")) for p in paths)


@pytest.fixture
def short_log(tmp_path: Path) -> Iterator[InProcessKasse]:
    yield from in_process(tmp_path, request_log_max_rows=3, request_log_max_age=timedelta(hours=1))


def test_the_log_keeps_only_the_newest_requests_by_count(short_log: InProcessKasse) -> None:
    references = [new_reference() for _ in range(5)]
    for reference in references:
        short_log.demo.get(reference)

    kept = logged(short_log)

    assert [r.reference for r in kept] == references[-3:]


def test_the_log_forgets_requests_older_than_its_age_on_kasses_clock(short_log: InProcessKasse) -> None:
    old, new = new_reference(), new_reference()
    short_log.demo.get(old)
    flushed(short_log)

    advance_clock(short_log.client, 2 * 3600)
    short_log.demo.get(new)

    assert [r.reference for r in logged(short_log)] == [new]


def test_recording_can_be_switched_off(tmp_path: Path) -> None:
    for off in in_process(tmp_path, request_log=False):
        off.demo.get(new_reference())

        assert off.container.requests is None
        assert off.container.db.read(lambda uow: uow.request_log.search()) == []
