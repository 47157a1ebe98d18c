"""kasse's OpenAPI document: FastAPI's, plus the hot ePayment routes, and the truth about every refusal.

The FastAPI routes read their JSON bodies and headers by hand (api/body.py, api/auth.py), so FastAPI
cannot see them: `BODIES` and the auth headers are added here. kasse answers validation failures with
400, never FastAPI's 422; every operation documents the problem statuses it can answer, with their
shapes (contract §4.10.1), so tests/security/test_schemathesis.py can hold responses to the document.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from fastapi import FastAPI
from pydantic import BaseModel

from kasse.api.schemas.common import Receipt
from kasse.api.schemas.epayment import CancelRequest, CreatePaymentRequest, ForceApproveRequest, ModificationRequest
from kasse.api.schemas.qr import (
    CallbackIn,
    CategoryIn,
    CustomerExchangeIn,
    ExchangeIn,
    RedirectIn,
    RedirectUpdateIn,
)
from kasse.api.vipps.webhooks import RegisterRequest


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
_OPTIONAL_BODIES = (CancelRequest, ForceApproveRequest)

# the JSON bodies of FastAPI routes that read them by hand; required unless listed in _OPTIONAL_BODIES
BODIES: dict[tuple[str, str], type[BaseModel]] = {
    ("post", "/webhooks/v1/webhooks"): RegisterRequest,
    ("post", "/qr/v1/merchant-redirect"): RedirectIn,
    ("put", "/qr/v1/merchant-redirect/{qr_id}"): RedirectUpdateIn,
    ("put", "/qr/v1/merchant-callback/{merchant_qr_id}"): CallbackIn,
    ("post", "/qr/v1/exchange"): ExchangeIn,
    ("post", "/qr/v1/exchange/customer"): CustomerExchangeIn,
    ("post", "/order-management/v2/{payment_type}/receipts/{order_id}"): Receipt,
    ("put", "/order-management/v2/{payment_type}/categories/{order_id}"): CategoryIn,
}

MERCHANT_PREFIXES = ("/epayment/v1/", "/webhooks/v1/", "/qr/v1/", "/order-management/v2/")
# where the token alone names the sales unit (api/auth.py `msn_required=False`)
_MSN_OPTIONAL = ("/webhooks/v1/", "/qr/v1/merchant-redirect", "/qr/v1/exchange")
# the QR and Order Management APIs refuse bad input in their older shape, as application/json
_PARAMS_SHAPE = ("/qr/v1/", "/order-management/v2/")

_NAME_REASON = {"type": "object", "required": ["name", "reason"],
                "properties": {"name": {"type": "string"}, "reason": {"type": "string"}}}
_TEXT = {"type": ["string", "null"]}
SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail", "instance", "traceId", "extraDetails"],
        "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                       "detail": _TEXT, "instance": {"type": "string"}, "traceId": {"type": "string"},
                       "extraDetails": {"type": "array", "items": _NAME_REASON}},
    },
    "ParamsProblem": {
        "type": "object",
        "required": ["type", "title", "status", "detail", "instance"],
        "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                       "detail": _TEXT, "instance": {"type": "string"},
                       "invalidParams": {"type": "array", "items": _NAME_REASON},
                       "extraDetails": {"type": "array", "items": _NAME_REASON}},
    },
}
_DESCRIPTIONS = {"400": "Bad request", "401": "Missing, malformed, forged or expired token",
                 "403": "Key or MSN of another sales unit, or a permission it lacks", "404": "Not found",
                 "409": "Conflict", "413": "Body over 64 KiB", "423": "Locked: retry with the same key",
                 "429": "Too many requests", "503": "The bank failed the capture"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _problem(status: str, path: str) -> dict[str, Any]:
    content: dict[str, Any] = {"application/problem+json": {"schema": _ref("Problem")}}
    if path.startswith(_PARAMS_SHAPE):
        content["application/json"] = {"schema": _ref("ParamsProblem")}
    return {"description": _DESCRIPTIONS[status], "content": content}


def _error_statuses(method: str, path: str, has_body: bool) -> list[str]:
    statuses = ["400"]
    if path.startswith(MERCHANT_PREFIXES) or path == "/accesstoken/get":
        statuses += ["401", "403"]
    if "{" in path:
        statuses.append("404")
    if method in ("post", "put", "delete"):
        statuses.append("409")
    if has_body:
        statuses.append("413")
    return statuses


def _auth_headers(path: str) -> list[dict[str, Any]]:
    return [{"name": name, "in": "header", "required": name != "Merchant-Serial-Number" or not path.startswith(
        _MSN_OPTIONAL), "schema": {"type": "string"}}
            for name in ("Authorization", "Ocp-Apim-Subscription-Key", "Merchant-Serial-Number")]


def _request_body(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    return {"required": model not in _OPTIONAL_BODIES,
            "content": {"application/json": {"schema": _ref(model.__name__)}}}


def _hot_operation(op: Operation, components: dict[str, Any]) -> dict[str, Any]:
    params = _auth_headers(op.path)
    if op.idempotent:
        params.append({"name": "Idempotency-Key", "in": "header", "required": True,
                       "schema": {"type": "string", "maxLength": 50}})
    if "{reference}" in op.path:
        params.append({"name": "reference", "in": "path", "required": True,
                       "schema": {"type": "string", "pattern": "^[a-zA-Z0-9-]{8,64}$"}})
    statuses = [*_error_statuses(op.method, op.path, op.body is not None), "429"]
    if op.method == "post":
        statuses += ["423", "503"] if op.idempotent else ["423"]
    doc: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": ["ePayment"],
        "parameters": params,
        "responses": {
            op.status: {"description": "Success", "content": {"application/json": {"schema": {"type": "object"}}}},
            **{status: _problem(status, op.path) for status in sorted(statuses)},
        },
    }
    if op.body is not None:
        doc["requestBody"] = _request_body(op.body, components)
    return doc


def _complete(method: str, path: str, doc: dict[str, Any], components: dict[str, Any]) -> None:
    """Add what a FastAPI operation reads by hand, and the refusals it answers instead of 422."""
    model = BODIES.get((method, path))
    if model is not None:
        doc["requestBody"] = _request_body(model, components)
    if path.startswith(MERCHANT_PREFIXES):
        doc["parameters"] = [*_auth_headers(path), *doc.get("parameters", [])]
    responses = doc.setdefault("responses", {})
    responses.pop("422", None)
    for status in _error_statuses(method, path, "requestBody" in doc or method in ("post", "put")):
        responses.setdefault(status, _problem(status, path))


def install(app: FastAPI) -> None:
    """Make `app.openapi()` describe the hot routes of `OPERATIONS` and every route's refusals."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = plain()
        components = document.setdefault("components", {}).setdefault("schemas", {})
        components.update(SCHEMAS)
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        paths = document.setdefault("paths", {})
        for path, operations in paths.items():
            for method, doc in operations.items():
                _complete(method, path, doc, components)
        for op in OPERATIONS:
            paths.setdefault(op.path, {})[op.method] = _hot_operation(op, components)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
