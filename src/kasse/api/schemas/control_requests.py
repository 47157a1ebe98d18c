"""What the request log and `kasse trigger` answer on /_kasse, for the docs: the handlers render these shapes."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field


def _example(value: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [value]})


class RequestOut(BaseModel):
    model_config = _example({
        "id": 42, "at": "2026-12-24T12:00:00.123Z", "method": "POST", "path": "/epayment/v1/payments", "query": "",
        "status": 201, "durationMs": 3.2, "msn": "123456", "reference": "order-1001",
        "idempotencyKey": "6c1f0e2a-…", "requestHeaders": {"authorization": "[redacted]"},
        "requestBody": '{"reference":"order-1001", …}', "responseBody": '{"reference":"order-1001", …}'})

    id: Annotated[int, Field(description="Position in the log: pass the last one seen as `after` to follow it")]
    at: Annotated[str, Field(description="When it arrived, on kasse's clock (RFC 3339)")]
    method: str
    path: str
    query: Annotated[str, Field(description="The query string, secrets redacted")]
    status: Annotated[int, Field(description="The answer's status; 0 when the connection was dropped")]
    durationMs: float
    msn: Annotated[str | None, Field(description="The sales unit: authenticated, else the one the request named")]
    reference: Annotated[str | None, Field(description="The payment (order) the request is about")]
    idempotencyKey: str | None
    requestHeaders: Annotated[dict[str, str], Field(description="Credentials and cookies redacted")]
    requestBody: Annotated[str, Field(description="Secrets redacted, cut after a few KiB")]
    responseBody: Annotated[str, Field(description="Secrets (webhook secret, access token) redacted, cut likewise")]


class TriggerIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [{"event": "captured"}]})

    event: Annotated[str, Field(max_length=32, description="authorized, captured, cancelled, refunded, expired, "
                                                           "aborted, terminated or user.checked-in")]


class TriggerStep(BaseModel):
    step: Annotated[str, Field(description="What was done, e.g. `create`, `approve`, `capture`")]
    state: Annotated[str | None, Field(description="The payment's state after it")]


class TriggerOut(BaseModel):
    model_config = _example({"event": "captured", "msn": "123456", "reference": "trigger-5d1c…",
                             "steps": [{"step": "create", "state": "CREATED"},
                                       {"step": "approve", "state": "AUTHORIZED"},
                                       {"step": "capture", "state": "AUTHORIZED"}]})

    event: str
    msn: str
    reference: Annotated[str | None, Field(description="The fresh payment's reference (none for a check-in)")]
    steps: list[TriggerStep]
