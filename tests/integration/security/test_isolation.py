"""One sales unit cannot see or touch another's payments, webhooks, QR codes or receipts.

Another unit's resource must look exactly like one that does not exist (same status, same problem),
so a probe learns nothing, and the owner's resource must be unchanged afterwards.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.harness import ApiSession, InProcessKasse, authorized, new_reference, receipt, shared_kasse

shared = shared_kasse("isolation", rate_limits=False)

SVG = "image/svg+xml"
MODIFICATION = {"modificationAmount": {"currency": "NOK", "value": 1000}}
WEBHOOK_URL = "https://127.0.0.1:9/hooks"


@dataclass(frozen=True)
class Probe:
    """A request an intruder sends at the owner's resource `{id}`."""

    method: str
    path: str
    body: dict[str, Any] | None = None

    def send(self, session: ApiSession, ident: str) -> httpx.Response:
        headers = session.headers(idempotency_key=uuid.uuid4().hex, Accept=SVG)
        r: httpx.Response = session.client.request(self.method, self.path.format(id=ident), json=self.body,
                                                   headers=headers)
        return r


def _redirect(owner: ApiSession) -> str:
    ident = "qr-" + uuid.uuid4().hex[:12]
    r = owner.client.post("/qr/v1/merchant-redirect", json={"id": ident, "redirectUrl": "https://shop.example/a"},
                          headers=owner.headers(Accept=SVG))
    assert r.status_code in (200, 201), r.text
    return ident


def _callback(owner: ApiSession) -> str:
    ident = "till-" + uuid.uuid4().hex[:12]
    r = owner.client.put(f"/qr/v1/merchant-callback/{ident}", json={"locationDescription": "Kasse 1"},
                         headers=owner.headers())
    assert r.status_code == 200, r.text
    return ident


def _webhook(owner: ApiSession) -> str:
    r = owner.client.post("/webhooks/v1/webhooks", headers=owner.headers(),
                          json={"url": WEBHOOK_URL, "events": ["epayments.payment.captured.v1"]})
    assert r.status_code == 201, r.text
    ident: str = r.json()["id"]
    return ident


def _order(owner: ApiSession) -> str:
    ident = "order-" + uuid.uuid4().hex[:12]
    r = owner.client.post(f"/order-management/v2/ECOM/receipts/{ident}", json=receipt(), headers=owner.headers())
    assert r.status_code == 201, r.text
    return ident


def _payment(owner: ApiSession) -> str:
    ref = authorized(owner, 10000)
    assert owner.modify(ref, "capture", 2000).status_code == 200
    return ref


RESOURCES = {
    "payment": (_payment, "/epayment/v1/payments/{id}", [
        Probe("GET", "/epayment/v1/payments/{id}"),
        Probe("GET", "/epayment/v1/payments/{id}/events"),
        Probe("POST", "/epayment/v1/payments/{id}/capture", MODIFICATION),
        Probe("POST", "/epayment/v1/payments/{id}/refund", MODIFICATION),
        Probe("POST", "/epayment/v1/payments/{id}/cancel", {}),
        Probe("POST", "/epayment/v1/test/payments/{id}/approve", {}),
    ]),
    "webhook": (_webhook, "/webhooks/v1/webhooks", [Probe("DELETE", "/webhooks/v1/webhooks/{id}")]),
    "redirect-qr": (_redirect, "/qr/v1/merchant-redirect/{id}", [
        Probe("GET", "/qr/v1/merchant-redirect/{id}"),
        Probe("PUT", "/qr/v1/merchant-redirect/{id}", {"redirectUrl": "https://evil.example/"}),
        Probe("DELETE", "/qr/v1/merchant-redirect/{id}"),
    ]),
    "callback-qr": (_callback, "/qr/v1/merchant-callback/{id}", [
        Probe("GET", "/qr/v1/merchant-callback/{id}"),
        Probe("DELETE", "/qr/v1/merchant-callback/{id}"),
    ]),
    "receipt": (_order, "/order-management/v2/ECOM/{id}", [Probe("GET", "/order-management/v2/ECOM/{id}")]),
}
CASES = [(kind, probe) for kind, (_, _, probes) in RESOURCES.items() for probe in probes]
LISTS = {
    "webhook": "/webhooks/v1/webhooks",
    "redirect-qr": "/qr/v1/merchant-redirect",
    "callback-qr": "/qr/v1/merchant-callback",
}


def _unknown(kind: str) -> str:
    return str(uuid.uuid4()) if kind == "webhook" else new_reference("unknown")


def _seen(response: httpx.Response, ident: str) -> tuple[int, str, Any]:
    """Return what a caller can learn from a response, with the id it asked for and per-call ids blanked."""
    body = response.json() if response.content else None
    if isinstance(body, dict):
        body = {k: v.replace(ident, "<id>") if isinstance(v, str) else v for k, v in body.items()
                if k not in ("traceId", "instance")}
    return response.status_code, response.headers.get("content-type", ""), body


@pytest.fixture(scope="module")
def intruder(shared: InProcessKasse) -> ApiSession:
    return shared.session(shared.demo.new_merchant())


@pytest.mark.parametrize(("kind", "probe"), CASES, ids=[f"{k}-{p.method}-{p.path.rsplit('/', 1)[-1]}"
                                                         for k, p in CASES])
def test_another_units_resource_looks_like_one_that_does_not_exist(
    shared: InProcessKasse, intruder: ApiSession, kind: str, probe: Probe
) -> None:
    create, owner_view, _ = RESOURCES[kind]
    owner = shared.demo
    ident = create(owner)
    before = owner.client.get(owner_view.format(id=ident), headers=owner.headers(Accept=SVG)).json()
    unknown = _unknown(kind)

    theirs = probe.send(intruder, ident)
    nobodys = probe.send(intruder, unknown)

    assert theirs.status_code == 404, theirs.text
    assert _seen(theirs, ident) == _seen(nobodys, unknown)
    assert owner.client.get(owner_view.format(id=ident), headers=owner.headers(Accept=SVG)).json() == before


@pytest.mark.parametrize("kind", LISTS)
def test_another_units_lists_do_not_show_the_owners_resources(
    shared: InProcessKasse, intruder: ApiSession, kind: str
) -> None:
    ident = RESOURCES[kind][0](shared.demo)

    listed = shared.client.get(LISTS[kind], headers=intruder.headers(Accept=SVG))

    assert listed.status_code == 200
    assert ident not in listed.text


def test_another_units_webhook_never_hears_of_the_owners_payments(
    shared: InProcessKasse, intruder: ApiSession
) -> None:
    theirs = intruder.client.post("/webhooks/v1/webhooks", headers=intruder.headers(),
                                  json={"url": WEBHOOK_URL, "events": ["epayments.payment.captured.v1"]})
    mine = _webhook(shared.demo)

    ref = _payment(shared.demo)

    deliveries = shared.client.get("/_kasse/webhooks/deliveries", params={"reference": ref}).json()
    heard = {d["webhookId"] for d in deliveries}
    assert mine in heard
    assert theirs.json()["id"] not in heard


def test_a_receipt_for_the_same_order_id_stays_the_senders_own(shared: InProcessKasse, intruder: ApiSession) -> None:
    order = _order(shared.demo)
    before = shared.client.get(f"/order-management/v2/ECOM/{order}", headers=shared.demo.headers()).json()

    intruders = intruder.client.post(f"/order-management/v2/ECOM/receipts/{order}", json=receipt(999),
                                     headers=intruder.headers())

    assert intruders.status_code == 201
    assert shared.client.get(f"/order-management/v2/ECOM/{order}", headers=shared.demo.headers()).json() == before
