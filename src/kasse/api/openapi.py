"""OpenAPI for the routes served outside FastAPI: one table, merged into FastAPI's document."""

from __future__ import annotations

from typing import Any, NamedTuple

from fastapi import FastAPI
from pydantic import BaseModel

from kasse.api.schemas.epayment import CancelRequest, CreatePaymentRequest, ForceApproveRequest, ModificationRequest


class Operation(NamedTuple):
    method: str
    path: str
    operation_id: str
    summary: str
    body: type[BaseModel] | None
    status: str
    idempotent: bool


EPAYMENT = "/epayment/v1/payments"
OPERATIONS: tuple[Operation, ...] = (
    Operation("post", EPAYMENT, "createPayment", "Create a payment", CreatePaymentRequest, "201", True),
    Operation("get", EPAYMENT + "/{reference}", "getPayment", "Get a payment", None, "200", False),
    Operation("get", EPAYMENT + "/{reference}/events", "getPaymentEventLog", "Get the event log", None, "200", False),
    Operation("post", EPAYMENT + "/{reference}/capture", "capturePayment", "Capture", ModificationRequest, "200", True),
    Operation("post", EPAYMENT + "/{reference}/refund", "refundPayment", "Refund", ModificationRequest, "200", True),
    Operation("post", EPAYMENT + "/{reference}/cancel", "cancelPayment", "Cancel", CancelRequest, "200", False),
    Operation("post", "/epayment/v1/test/payments/{reference}/approve", "forceApprovePayment",
              "Force approve (test only)", ForceApproveRequest, "200", False),
)

_AUTH_HEADERS = ("Authorization", "Ocp-Apim-Subscription-Key", "Merchant-Serial-Number")
_PROBLEM = {"application/problem+json": {"schema": {"type": "object"}}}


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "header", "required": True, "schema": {"type": "string"}} for name in _AUTH_HEADERS
    ]
    if op.idempotent:
        params.append({"name": "Idempotency-Key", "in": "header", "required": True,
                       "schema": {"type": "string", "maxLength": 50}})
    if "{reference}" in op.path:
        params.append({"name": "reference", "in": "path", "required": True,
                       "schema": {"type": "string", "pattern": "^[a-zA-Z0-9-]{8,64}$"}})
    return params


def _operation(op: Operation, components: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": ["ePayment"],
        "parameters": _parameters(op),
        "responses": {
            op.status: {"description": "Success", "content": {"application/json": {"schema": {"type": "object"}}}},
            **{code: {"description": "Problem", "content": _PROBLEM} for code in ("400", "401", "403", "404", "409",
                                                                                    "429")},
        },
    }
    if op.body is not None:
        schema = op.body.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[op.body.__name__] = schema
        doc["requestBody"] = {
            "required": op.body is not CancelRequest and op.body is not ForceApproveRequest,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{op.body.__name__}"}}},
        }
    return doc


def install(app: FastAPI) -> None:
    """Make `app.openapi()` include the operations of `OPERATIONS`."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = plain()
        components = document.setdefault("components", {}).setdefault("schemas", {})
        for op in OPERATIONS:
            document.setdefault("paths", {}).setdefault(op.path, {})[op.method] = _operation(op, components)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
