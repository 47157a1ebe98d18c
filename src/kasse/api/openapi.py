"""kasse's OpenAPI document, generated from the operations the app serves (api/operations.py).

One row of an API's table gives an operation's summary, description, headers, body and answer
models with their examples; the rules that hold for every row (who may call it, which refusals it can
answer, in which shape) are added here. Only what is mounted is described: in production mode the
/_kasse control plane is not served, so it is not in the document either. kasse answers validation
failures with 400, never 422, and every refusal it can answer is listed, so
tests/integration/security/test_schemathesis.py can hold answers to the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from kasse.api.operations import Access, Answer, Header, Operation, Shape
from kasse.settings import DEMO

OPENAPI = "3.1.0"
_NAME_REASON = {"type": "object", "required": ["name", "reason"],
                "properties": {"name": {"type": "string"}, "reason": {"type": "string"}}}
_TEXT = {"type": ["string", "null"]}
_PROBLEM_EXAMPLE = {"type": "https://httpstatuses.io/400", "title": "Bad Request", "status": 400,
                    "detail": "One or more validation errors occurred.", "instance": "/epayment/v1/payments",
                    "traceId": "00-6f1c0b9e0d2a4c3f8e7d6c5b4a392817-1a2b3c4d5e6f7a8b-01",
                    "extraDetails": [{"name": "reference", "reason": "String should match pattern "
                                                                     "'^[a-zA-Z0-9-]{8,64}$'"}]}
_PARAMS_EXAMPLE = {"type": "https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.1",
                   "title": "One or more validation errors occurred.", "status": 400, "detail": "BadRequest",
                   "instance": "00-6f1c0b9e0d2a4c3f8e7d6c5b4a392817-1a2b3c4d5e6f7a8b-01",
                   "invalidParams": [{"name": "LocationDescription", "reason": "The field LocationDescription must "
                                                                               "be a string with a maximum length "
                                                                               "of 36."}]}
SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": {
        "description": "RFC 7807 problem details (contract §4.10.1). A domain refusal names its ErrorCode in "
                       "`extraDetails`; a validation failure names each bad field there instead.",
        "type": "object",
        "required": ["type", "title", "status", "detail", "instance", "traceId", "extraDetails"],
        "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                       "detail": _TEXT, "instance": {"type": "string", "description": "The request's path"},
                       "traceId": {"type": "string"}, "extraDetails": {"type": "array", "items": _NAME_REASON}},
        "examples": [_PROBLEM_EXAMPLE],
    },
    "ParamsProblem": {
        "description": "The QR and Order Management APIs' refusal (`QrErrorResponse`, `ErrorResponse`): each bad "
                       "field in `invalidParams` (the QR exchanges use `extraDetails`).",
        "type": "object",
        "required": ["type", "title", "status", "detail", "instance"],
        "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                       "detail": _TEXT, "instance": {"type": "string"},
                       "invalidParams": {"type": "array", "items": _NAME_REASON},
                       "extraDetails": {"type": "array", "items": _NAME_REASON}},
        "examples": [_PARAMS_EXAMPLE],
    },
}
SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "accessToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                    "description": "The `access_token` of `POST /accesstoken/get`."},
    "subscriptionKey": {"type": "apiKey", "in": "header", "name": "Ocp-Apim-Subscription-Key",
                        "description": "The sales unit's subscription key."},
    "merchantSerialNumber": {"type": "apiKey", "in": "header", "name": "Merchant-Serial-Number",
                             "description": "The sales unit's MSN, 4 to 10 digits."},
}
_MERCHANT: dict[str, list[str]] = {"accessToken": [], "subscriptionKey": [], "merchantSerialNumber": []}
SECURITY: dict[Access, list[dict[str, list[str]]]] = {
    Access.MERCHANT: [_MERCHANT],
    Access.MERCHANT_MSN_OPTIONAL: [_MERCHANT, {"accessToken": [], "subscriptionKey": []}],
    Access.OWN_TOKEN: [_MERCHANT, {"accessToken": [], "subscriptionKey": []}, {"accessToken": []}],
}
DESCRIPTIONS = {400: "Bad request: the problem names each field or header", 401: "Missing, malformed, forged or "
                "expired token, or no subscription key", 403: "Key or MSN of another sales unit, or a permission "
                "it lacks", 404: "Not found", 405: "Method not allowed", 409: "Conflict",
                413: "Body over 64 KiB", 415: "The body is not sent as application/json",
                423: "Locked: retry with the same Idempotency-Key", 429: "Too many requests for this reference",
                503: "The bank failed the capture: retry with the same Idempotency-Key"}
_PATH_PARAM = re.compile(r"{(\w+)}")


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _schema(model: type[BaseModel], components: dict[str, Any], mode: str) -> tuple[dict[str, str], Any]:
    """Add `model` (and the models it uses) to the components; return its reference and its example."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)  # type: ignore[arg-type]
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    examples = schema.get("examples") or [None]
    return _ref(model.__name__), examples[0]


def _header(rule: Header) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if rule.integer is not None:
        schema = {"type": "integer", "minimum": rule.integer[0], "maximum": rule.integer[1]}
    if rule.max_length is not None:
        schema["maxLength"] = rule.max_length
    if rule.values:
        schema["enum"] = list(rule.values)
    out: dict[str, Any] = {"name": rule.name, "in": "header", "required": rule.required,
                           "description": rule.description, "schema": schema}
    if rule.example is not None:
        out["example"] = rule.example
    return out


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params = [{"name": name, "in": "path", "required": True,
               "schema": op.path_params.get(name, {"type": "string"})} for name in _PATH_PARAM.findall(op.path)]
    params += [_header(rule) for rule in op.headers]
    params += [{"name": q.name, "in": "query", "required": False, "description": q.description, "schema": q.schema}
               for q in op.query]
    return params


def refusal_statuses(op: Operation) -> list[int]:
    """Return every error status `op` can answer: what its rules imply, and its own `refusals`."""
    statuses = set(op.refusals) | {answer.status for answer in op.refusal_answers}
    if op.body is not None or op.headers or op.query or "{" in op.path or op.access is Access.MERCHANT:
        statuses.add(400)
    if op.access is not Access.OPEN:
        statuses.update((401, 403))
    if "{" in op.path:
        statuses.add(404)
    if op.body is not None:
        statuses.update((413, 415))
    return sorted(statuses)


def _refusal(status: int, op: Operation) -> dict[str, Any]:
    content: dict[str, Any] = {"application/problem+json": {"schema": _ref("Problem")}}
    if op.api.shape is Shape.PARAMS:
        content["application/json"] = {"schema": _ref("ParamsProblem")}
    return {"description": DESCRIPTIONS.get(status, "Refused"), "content": content}


def _answer(answer: Answer, components: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"description": answer.description}
    if answer.model is not None:
        schema, example = _schema(answer.model, components, "serialization")
        media: dict[str, Any] = {"schema": {"type": "array", "items": schema} if answer.many else schema}
        if answer.many and example is not None:
            example = [example]
        example = answer.example if answer.example is not None else example
        if example is not None:
            media["example"] = example
        out["content"] = {answer.media: media}
    return out


def operation_doc(op: Operation, components: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {"operationId": op.id, "summary": op.summary, "description": op.description,
                           "tags": [op.api.tag], "parameters": _parameters(op)}
    if op.access in SECURITY:
        doc["security"] = SECURITY[op.access]
    if op.body is not None:
        schema, example = _schema(op.body, components, "validation")
        media: dict[str, Any] = {"schema": schema}
        if example is not None:
            media["example"] = example
        doc["requestBody"] = {"required": op.body_required, "content": {"application/json": media}}
    own = {answer.status: _answer(answer, components) for answer in op.refusal_answers}
    doc["responses"] = {str(op.answer.status): _answer(op.answer, components),
                        **{str(s): own.get(s) or _refusal(s, op) for s in refusal_statuses(op)}}
    return doc


def _intro(production: bool) -> str:
    text = ("In-person mobile payments, wire-compatible with the Vipps MobilePay ePayment, Webhooks, QR, Access "
            "Token and Order Management APIs.\n\nTo try an operation: call `POST /accesstoken/get` with the sales "
            "unit's `client_id`, `client_secret` and subscription key, then press **Authorize** and give the "
            "`access_token`, the subscription key and the MSN.")
    if not production:
        text += (f"\n\nIn test mode the demo sales unit is MSN `{DEMO.msn}`, client_id `{DEMO.client_id}`, "
                 f"client_secret `{DEMO.client_secret}`, subscription key `{DEMO.subscription_key}`. "
                 "The `/_kasse` control plane (test mode only) moves the clock, arms faults and acts as "
                 "the customer's wallet.")
    return text


def document(operations: Iterable[Operation], *, production: bool) -> dict[str, Any]:
    """Return the OpenAPI document describing `operations`."""
    components: dict[str, Any] = dict(SCHEMAS)
    paths: dict[str, dict[str, Any]] = {}
    tags: dict[str, str] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = operation_doc(op, components)
        tags.setdefault(op.api.tag, op.api.description)
    return {
        "openapi": OPENAPI,
        "info": {"title": "kasse", "version": "0.1.0", "description": _intro(production)},
        "tags": [{"name": name, "description": text} for name, text in tags.items()],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": SECURITY_SCHEMES},
    }
