"""Report API 2.0 answers, for the docs (the handlers render them in api/vipps/report_wire.py)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field


def _example(value: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [value]})


ENTRY = {"pspReference": "37c34d8c-2649-448e-864b-060d5d93e4c4", "time": "2026-12-24T10:51:59.378000Z",
         "ledgerDate": "2026-12-24", "entryType": "capture", "reference": "acme-shop-123-order1", "currency": "NOK",
         "amount": 49900, "balanceBefore": 0, "balanceAfter": 49900, "recipientHandle": "NO:123456"}


class LedgerList(BaseModel):
    model_config = _example({"items": [{
        "ledgerId": "302321", "currency": "NOK", "payoutBankAccount": {"scheme": "BBAN:NO", "id": "86011117947"},
        "owner": {"scheme": "business:NO:ORG", "id": "987654321"}, "settlesForRecipientHandles": ["NO:123456"],
        "salesUnits": [{"name": "kasse demo shop", "recipientHandle": "NO:123456"}]}], "cursor": None})

    items: list[dict[str, Any]]
    cursor: str | None


class DatePage(BaseModel):
    model_config = _example({"items": [ENTRY], "hasMore": False, "tryLater": False})

    items: list[dict[str, Any]]
    hasMore: bool
    cursor: Annotated[str | None, Field(description="Only when hasMore")] = None
    tryLater: Annotated[bool, Field(description="The date is not closed yet: ask again later")]


class FeedPage(BaseModel):
    model_config = _example({"items": [ENTRY], "cursor": "eyJwIjoxfQ", "tryLater": False})

    items: list[dict[str, Any]]
    cursor: str
    tryLater: bool


class ReportBadInput(BaseModel):
    model_config = _example({"errorCode": 10002, "errorMessage": "ledgerDate must be YYYY-MM-DD",
                             "contextId": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
                             "extraDetails": [{"name": "ledgerDate", "reason": "ledgerDate must be YYYY-MM-DD"}]})

    errorCode: int
    errorMessage: str
    contextId: str
    extraDetails: list[dict[str, str]]


class ReportUnauthorized(BaseModel):
    model_config = _example({"code": "Unauthorized", "message": "Please check your API keys"})

    code: str
    message: str


class PartnerToken(BaseModel):
    model_config = _example({"access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJwIjoiMSJ9.c2ln",
                             "token_type": "Bearer", "expires_in": "900"})

    access_token: str
    token_type: str
    expires_in: str
