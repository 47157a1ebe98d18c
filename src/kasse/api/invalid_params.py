"""The older error shape of the QR and Order Management APIs (contract §4.10.1, §6, §7).

`{type, title, status, detail, instance, invalidParams:[{name, reason}]}` as `application/json`, with
field names and reasons worded the way those (.NET) APIs word them; the two QR exchanges use
`extraDetails` instead of `invalidParams`, as their spec says. One table maps refusal kinds to statuses.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.problems import trace_id
from kasse.domain.receipt import OrderError, OrderErrorKind
from kasse.domain.static_qr import QrError, QrErrorKind

M = TypeVar("M", bound=BaseModel)

_TYPES = {
    400: "https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.1",
    404: "https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.4",
    409: "https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.8",
}
EXCHANGE_DETAIL = "The request body contains one or more invalid parameters."
_TITLES = {400: "One or more validation errors occurred.", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type"}

STATUS_OF_KIND: dict[StrEnum, int] = {
    QrErrorKind.INVALID: 400,
    QrErrorKind.NOT_FOUND: 404,
    QrErrorKind.CONFLICT: 409,
    OrderErrorKind.INVALID: 400,
    OrderErrorKind.NOT_FOUND: 404,
    OrderErrorKind.CONFLICT: 409,
}


class Naming(StrEnum):
    PASCAL = "PASCAL"  # `RedirectUrl`, `OrderLines[0].TotalAmount`: the .NET model names
    CAMEL = "CAMEL"  # `qrCode`, `customer.customerToken`: the exchange endpoints' names


class ParamsProblemError(Exception):
    """A refusal rendered in the older shape; `extra` adds fields such as the conflicting `id`."""

    def __init__(self, status: int, detail: str, params: list[tuple[str, str]] | None = None, *,
                 extra_details: bool = False, extra: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.params = params or []
        self.extra_details = extra_details
        self.extra = extra or {}
        self.headers = headers


def from_error(err: QrError | OrderError, *, extra_details: bool = False,
               extra: dict[str, Any] | None = None) -> ParamsProblemError:
    return ParamsProblemError(STATUS_OF_KIND[err.kind], err.detail, err.invalid_params, extra_details=extra_details,
                         extra=extra)


def params_response(problem: ParamsProblemError) -> Response:
    key = "extraDetails" if problem.extra_details else "invalidParams"
    # the exchanges' spec words its 400 title differently from the model-validation title
    title = "Bad request" if problem.extra_details and problem.status == 400 else _TITLES.get(problem.status, "Error")
    body = {
        "type": _TYPES.get(problem.status, f"https://httpstatuses.io/{problem.status}"),
        "title": title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": trace_id(),
        key: [{"name": name, "reason": reason} for name, reason in problem.params],
        **problem.extra,
    }
    return Response(orjson.dumps(body), status_code=problem.status, media_type="application/json",
                    headers=problem.headers)


async def handle(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ParamsProblemError)
    return params_response(exc)


def _name(error: ErrorDetails, naming: Naming) -> str:
    name = ""
    for part in error["loc"]:
        if isinstance(part, int):
            name += f"[{part}]"
            continue
        text = str(part)
        segment = text[:1].upper() + text[1:] if naming is Naming.PASCAL else text
        name += f".{segment}" if name else segment
    return name or "body"


def _reason(error: ErrorDetails, name: str) -> str:
    if error["type"] == "missing":
        return f"The {name} field is required."
    return f"The field {name} is invalid: {error['msg']}."


def parse_params(model: type[M], raw: bytes, naming: Naming = Naming.PASCAL, *, extra_details: bool = False) -> M:
    """Validate a JSON body; every bad field becomes one entry of `invalidParams` (or `extraDetails`)."""
    try:
        return model.model_validate_json(raw if raw.strip() else b"{}")
    except ValidationError as exc:
        params = []
        for error in exc.errors(include_url=False):
            name = _name(error, naming)
            params.append((name, _reason(error, name)))
        detail = EXCHANGE_DETAIL if extra_details else "BadRequest"
        raise ParamsProblemError(400, detail, params, extra_details=extra_details) from None
