"""What the /_kasse ledger, settlement-terms and partner routes answer, for the docs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from kasse.api.schemas.control import ClosedLedgerDate


def _example(value: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [value]})


TERMS = {"msn": "123456", "ledgerId": "302321", "feePercent": "1.75", "feeFixed": 0, "settlement": "net",
         "payoutFrequency": "daily", "payoutDelayDays": 2}
STATE = {"ledgerId": "302321", "msn": "123456", "market": "NO", "currency": "NOK", "recipientHandle": "NO:123456",
         "fundsBalance": 49027, "feesBalance": 873, "fundsEntries": 4, "feesEntries": 2,
         "lastClosedDate": "2026-12-23", "openDate": "2026-12-24", "payouts": 1, "terms": TERMS}


class Terms(BaseModel):
    model_config = _example(TERMS)

    msn: str
    ledgerId: str
    feePercent: Any
    feeFixed: int
    settlement: str
    payoutFrequency: str
    payoutDelayDays: int


class LedgerStateItem(BaseModel):
    ledgerId: str
    msn: str
    market: str
    currency: str
    recipientHandle: str
    fundsBalance: int
    feesBalance: int
    fundsEntries: int
    feesEntries: int
    lastClosedDate: str
    openDate: str
    payouts: int
    terms: Terms


class LedgerState(BaseModel):
    model_config = _example({"ledgers": [STATE]})

    ledgers: list[LedgerStateItem]


class LedgerOut(LedgerStateItem):
    model_config = _example({**STATE, "payoutList": [{
        "pspReference": "payout-302321-1", "number": 1, "amount": 49027, "currency": "NOK",
        "ledgerDate": "2026-12-23", "scheduledAt": "2026-12-24T00:00:00.000Z", "reference": "302321-1",
        "bankDate": "2026-12-28", "aborted": False}]})

    payoutList: list[dict[str, Any]]


class EntryPage(BaseModel):
    model_config = _example({"ledgerId": "302321", "topic": "funds", "entries": [{
        "topic": "funds", "position": 1, "pspReference": "37c34d8c-2649-448e-864b-060d5d93e4c4",
        "time": "2026-12-24T10:51:59.378000Z", "ledgerDate": "2026-12-24", "entryType": "capture",
        "reference": "acme-shop-123-order1", "currency": "NOK", "amount": 49900, "balanceBefore": 0,
        "balanceAfter": 49900, "recipientHandle": "NO:123456"}]})

    ledgerId: str
    topic: str
    entries: list[dict[str, Any]]


class Closed(BaseModel):
    model_config = _example({"closedLedgerDates": [{"ledgerDate": "2026-12-24", "ledgers": 1,
                                                    "ledgerIds": ["302321"]}]})

    closedLedgerDates: list[ClosedLedgerDate]


class Partner(BaseModel):
    model_config = _example({"partnerId": "p-1", "name": "Acme Accounting", "clientId": "4f0c…",
                             "clientSecret": "shown once"})

    partnerId: str
    name: str
    clientId: str
    clientSecret: str


class PartnerItem(BaseModel):
    partnerId: str
    name: str
    clientId: str
    ledgerIds: list[str]


class Partners(BaseModel):
    model_config = _example({"partners": [{"partnerId": "p-1", "name": "Acme Accounting", "clientId": "4f0c…",
                                           "ledgerIds": ["302321"]}]})

    partners: list[PartnerItem]


class Grant(BaseModel):
    model_config = _example({"partnerId": "p-1", "ledgerId": "302321"})

    partnerId: str
    ledgerId: str
