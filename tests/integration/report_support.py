"""Report API test helpers: sessions for merchant and partner tokens, bulk booking, and the official schemas.

Schemas are read from the official Report API file in the shared reference (never copied here). Two documented
deviations are applied before validating (Report API contract §6): the docs' entry type names `payout-scheduled`
and `credit-note` join the spec's enum (Q4), and `reference`/`recipientHandle` may be null (Q9).
"""

from __future__ import annotations

import base64
import copy
import functools
from datetime import datetime
from typing import Any

import httpx
import pytest

from kasse.domain.events import PaymentEvent
from kasse.domain.money import Currency, Money
from kasse.domain.payment_state import EventName
from kasse.services.recording import record
from tests.harness import DEMO_CREDENTIALS, ApiSession, Credentials, InProcessKasse
from tests.integration.webhook_spec import REFERENCE

REPORT = "report-v2.github-2023-12.yaml"


@functools.cache
def _spec() -> dict[str, Any]:
    import yaml

    spec: dict[str, Any] = yaml.safe_load((REFERENCE / REPORT).read_text())
    components = copy.deepcopy(spec["components"])
    transaction = components["schemas"]["Transaction"]["properties"]
    transaction["entryType"]["enum"] += ["payout-scheduled", "credit-note"]
    for name in ("reference", "recipientHandle"):
        transaction[name]["nullable"] = True
    return {"components": components, "paths": spec["paths"]}


def _validate(body: Any, schema: dict[str, Any]) -> None:
    if not (REFERENCE / REPORT).exists():
        pytest.skip(f"the official spec {REPORT} is not in {REFERENCE}")
    from openapi_schema_validator import OAS30Validator

    OAS30Validator({**schema, **{"components": _spec()["components"]}},
                   format_checker=OAS30Validator.FORMAT_CHECKER).validate(body)


def header_max_length(name: str) -> int:
    """The official spec's maxLength of a header parameter (the `Vipps-System-*` ones)."""
    if not (REFERENCE / REPORT).exists():
        pytest.skip(f"the official spec {REPORT} is not in {REFERENCE}")
    return int(_spec()["components"]["parameters"][name]["schema"]["maxLength"])


def assert_report_page(body: Any) -> None:
    """Validate a dates or feed answer against the spec's shared `200` response."""
    _validate(body, _spec()["components"]["responses"][200]["content"]["application/json"]["schema"])


def assert_ledgers(body: Any) -> None:
    """Validate a ledgers answer against the spec's `GET /settlement/v1/ledgers` 200 response."""
    ok = _spec()["paths"]["/settlement/v1/ledgers"]["get"]["responses"][200]
    _validate(body, ok["content"]["application/json"]["schema"])


def assert_spec_shape(body: Any, response: str) -> None:
    """Validate an error body against one of the spec's shared responses (`401`, `500`)."""
    _validate(body, _spec()["components"]["responses"][int(response)]["content"]["application/json"]["schema"])


class ReportReader:
    """GETs on the Report API with one set of headers (a merchant's or a partner's)."""

    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def get(self, path: str, **params: str) -> httpx.Response:
        r: httpx.Response = self.client.get(path, params=params or None, headers=self.headers)
        return r

    def ledger_id(self) -> str:
        r = self.get("/settlement/v1/ledgers")
        assert r.status_code == 200, r.text
        return str(r.json()["items"][0]["ledgerId"])

    def date(self, ledger_id: str, topic: str, day: str, **params: str) -> httpx.Response:
        return self.get(f"/report/v2/ledgers/{ledger_id}/{topic}/dates/{day}", **params)

    def feed(self, ledger_id: str, topic: str, **params: str) -> httpx.Response:
        return self.get(f"/report/v2/ledgers/{ledger_id}/{topic}/feed", **params)

    def whole_date(self, ledger_id: str, topic: str, day: str) -> list[dict[str, Any]]:
        """Follow a closed date's cursors; check each page's shape; return every item."""
        items, cursor = [], None
        while True:
            r = self.date(ledger_id, topic, day, **({"cursor": cursor} if cursor else {}))
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["tryLater"] is False and len(body["items"]) <= 1000
            items += body["items"]
            if not body["hasMore"]:
                assert "cursor" not in body
                return items
            cursor = body["cursor"]

    def whole_feed(self, ledger_id: str, topic: str, cursor: str | None = None) -> tuple[list[dict[str, Any]], str]:
        """Read the feed from `cursor` to its end; return the items and the end cursor."""
        items = []
        while True:
            r = self.feed(ledger_id, topic, **({"cursor": cursor} if cursor else {}))
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["cursor"] and "hasMore" not in body
            if body["tryLater"]:
                assert body["items"] == [] and (cursor is None or body["cursor"] == cursor)
                return items, body["cursor"]
            items += body["items"]
            cursor = body["cursor"]


def merchant_reader(kasse: InProcessKasse, creds: Credentials = DEMO_CREDENTIALS) -> ReportReader:
    """A reader with a fresh merchant token (moving the clock a day expires the last one)."""
    session = ApiSession(kasse.client, creds)
    return ReportReader(kasse.client, {"Authorization": f"Bearer {session.token}",
                                       "Ocp-Apim-Subscription-Key": session.creds.subscription_key})


def new_partner(kasse: InProcessKasse) -> tuple[str, str, str]:
    r = kasse.client.post("/_kasse/partners", json={"name": "Acme Accounting"})
    assert r.status_code == 201, r.text
    body = r.json()
    return body["partnerId"], body["clientId"], body["clientSecret"]


def partner_token(client: Any, client_id: str, secret: str) -> httpx.Response:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    r: httpx.Response = client.post("/miami/v1/token", headers={"Authorization": f"Basic {basic}"},
                                    content=b"grant_type=client_credentials",
                                    )
    return r


def book_captures(kasse: InProcessKasse, msn: str, count: int, at: datetime, amount: int = 1000,
                  prefix: str = "bulk") -> None:
    """Book `count` captures of `amount` straight through the recording use case, in one transaction."""

    def job(uow: Any) -> None:
        for i in range(count):
            record(uow, PaymentEvent(msn, f"{prefix}-{i:06d}", f"{prefix}-psp-{i:06d}", EventName.CAPTURED,
                                     Money(amount, Currency.NOK), at, None))

    kasse.container.db.write_sync(job)
