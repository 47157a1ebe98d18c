"""What the /_kasse control plane answers, for the docs: the handlers render these shapes themselves."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field


def _example(value: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [value]})


class MerchantOut(BaseModel):
    model_config = _example({"msn": "654321", "name": "kasse test shop", "market": "NO",
                             "clientId": "6f0a7e9c-…", "clientSecret": "s3cr3t-…", "subscriptionKey": "4b1c…",
                             "secondarySubscriptionKey": "9d2e…"})

    msn: str
    name: str
    market: str
    clientId: str
    clientSecret: Annotated[str, Field(description="Shown only here")]
    subscriptionKey: str
    secondarySubscriptionKey: str


class MerchantListed(BaseModel):
    model_config = _example({"msn": "123456", "name": "kasse demo shop", "market": "NO",
                             "clientId": "kasse-demo-client", "createdAt": "2026-12-24T08:00:00.000Z",
                             "pushAllowed": True, "partialCaptureAllowed": True, "longLivingAllowed": True})

    msn: str
    name: str
    market: str
    clientId: str
    createdAt: str
    pushAllowed: bool
    partialCaptureAllowed: bool
    longLivingAllowed: bool


class ClockOut(BaseModel):
    model_config = _example({"now": "2026-12-24T12:00:00.000Z", "frozen": False})

    now: str
    frozen: bool


class ClosedLedgerDate(BaseModel):
    ledgerDate: str
    ledgers: int
    ledgerIds: list[str]


class ClockMoved(ClockOut):
    model_config = _example({"now": "2026-12-25T00:10:00.000Z", "frozen": True, "expired": 3,
                             "closedLedgerDates": [{"ledgerDate": "2026-12-24", "ledgers": 1,
                                                    "ledgerIds": ["302321"]}]})

    expired: Annotated[int, Field(description="Payments the move made expire")]
    closedLedgerDates: Annotated[list[ClosedLedgerDate],
                                 Field(description="Report API ledger dates whose midnight the move passed")]


class FaultOut(BaseModel):
    model_config = _example({"id": "f-1a2b3c", "msn": "123456", "kind": "api.500", "endpoint": "capture",
                             "remaining": 1, "delaySeconds": None, "armedAt": "2026-12-24T12:00:00.000Z"})

    id: str
    msn: str
    kind: str
    endpoint: str | None
    remaining: Annotated[int | None, Field(description="How many more times it fires; null: until disarmed")]
    delaySeconds: float | None
    armedAt: str


class FaultList(BaseModel):
    model_config = _example({"faults": [FaultOut.model_config["json_schema_extra"]["examples"][0]]})  # type: ignore[index]

    faults: list[FaultOut]


class UserOut(BaseModel):
    model_config = _example({"msisdn": "4712345678", "name": "Kari Nordmann", "birthDate": "1990-05-17",
                             "market": "NO", "card": {"brand": "VISA", "maskedNumber": "•••• 4242",
                                                      "expiry": "12/29"},
                             "personalQr": {"tokenized": "http://127.0.0.1:8000/p/u/Zq8…",
                                            "clearText": "https://qr.vipps.no/28/2/01/031/4712345678?v=1"},
                             "behaviour": {"behaviour": "MANUAL", "delaySeconds": 0}})

    msisdn: str
    name: str
    birthDate: str
    market: str
    card: dict[str, str]
    personalQr: dict[str, str]
    behaviour: dict[str, Any]


class WalletPayment(BaseModel):
    model_config = _example({"msn": "123456", "reference": "acme-shop-123-order1", "state": "AUTHORIZED",
                             "amount": {"currency": "NOK", "value": 49900}})

    msn: str
    reference: str
    state: str
    amount: dict[str, Any]


class WalletEntry(WalletPayment):
    merchantName: str
    source: str
    pending: bool
    answer: str | None
    note: str | None


class ScanOut(BaseModel):
    model_config = _example({"kind": "PAYMENT", "payment": {"msn": "123456", "reference": "acme-shop-123-order1",
                                                            "state": "CREATED",
                                                            "amount": {"currency": "NOK", "value": 49900}}})

    kind: Annotated[str, Field(description="What the scanned content was")]
    payment: WalletPayment | None = None
    checkIn: dict[str, Any] | None = None
    redirectUrl: str | None = None


_ATTEMPT = {"number": 1, "outcome": "FAILED", "sentAt": "2026-12-24T12:00:01.000Z",
            "recordedAt": "2026-12-24T12:00:01.012Z", "responseCode": 500, "latencyMs": 12, "error": None}


class Attempt(BaseModel):
    number: int
    outcome: str
    sentAt: str
    recordedAt: str
    responseCode: int | None
    latencyMs: int
    error: str | None


class DeliveryOut(BaseModel):
    model_config = _example({
        "id": 7, "webhookId": "5b0e3c2d-8f4a-4d1e-9a7b-2c6f0e1d3a45", "url": "http://127.0.0.1:9000/hooks",
        "msn": "123456", "reference": "acme-shop-123-order1", "eventType": "epayments.payment.captured.v1",
        "state": "PENDING", "attemptCount": 1, "createdAt": "2026-12-24T12:00:00.500Z",
        "nextAttemptAt": "2026-12-24T12:00:03.012Z", "deliveredAt": None,
        "payload": {"msn": "123456", "reference": "acme-shop-123-order1", "name": "CAPTURED"},
        "attempts": [_ATTEMPT]})

    id: int
    webhookId: str
    url: str | None
    msn: str
    reference: str | None
    eventType: str
    state: str
    attemptCount: int
    createdAt: str
    nextAttemptAt: str | None
    deliveredAt: str | None
    payload: Any
    attempts: list[Attempt]
