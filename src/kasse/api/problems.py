"""The one table from ErrorCode to HTTP status, and problem+json rendering (contract §4.10.1).

Open question 1 of the contract, decided: idempotency conflicts and taken references are 409;
an unknown reference is 404; a permission the sales unit lacks is 403; "Order processing" is 423
(retry with the same key); a capture the bank failed is 503; every other domain refusal is 400.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping

import orjson
from starlette.responses import Response

from kasse.domain.errors import DomainError, ErrorCode

PROBLEM_JSON = "application/problem+json"

STATUS_OF_CODE: dict[ErrorCode, int] = {
    ErrorCode.INTERNAL_ERROR: 500,
    ErrorCode.CAPTURE_IDEMPOTENCY_CONFLICT: 409,
    ErrorCode.IDEMPOTENCY_ERROR: 409,
    ErrorCode.REFERENCE_EXISTS: 409,
    ErrorCode.REFERENCE_NOT_FOUND: 404,
    ErrorCode.ILLEGAL_SCOPE: 403,
    ErrorCode.EXPRESS_NOT_ALLOWED: 403,
    ErrorCode.LONG_LIVING_NOT_ALLOWED: 403,
    ErrorCode.PUSH_MESSAGE_NOT_ALLOWED: 403,
    ErrorCode.REFUND_NOT_POSSIBLE: 403,
    ErrorCode.ORDER_PROCESSING: 423,
    ErrorCode.CAPTURE_FAILED: 503,
}

TITLES_OF_STATUS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    423: "Locked",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def status_of(code: ErrorCode) -> int:
    return STATUS_OF_CODE.get(code, 400)


def trace_id() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def problem_body(
    status: int,
    title: str,
    detail: str,
    path: str,
    extra: Iterable[tuple[str, str]] = (),
) -> bytes:
    return orjson.dumps(
        {
            "type": f"https://httpstatuses.io/{status}",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": path,  # the request's real path (issue #12.10), as the client sent it
            "traceId": trace_id(),
            "extraDetails": [{"name": name, "reason": reason} for name, reason in extra],
        }
    )


def domain_problem(err: DomainError, path: str) -> tuple[int, bytes]:
    status = status_of(err.code)
    return status, problem_body(status, err.code.title, err.detail, path, [("ErrorCode", str(int(err.code)))])


def problem_response(
    status: int,
    detail: str,
    path: str,
    extra: Iterable[tuple[str, str]] = (),
    *,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body = problem_body(status, title or TITLES_OF_STATUS.get(status, "Error"), detail, path, extra)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


class ProblemError(Exception):
    """An HTTP-level refusal raised from a dependency (auth, validation, rate limit)."""

    def __init__(
        self,
        status: int,
        detail: str,
        extra: Iterable[tuple[str, str]] = (),
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = list(extra)
        self.headers = headers


def error_table_markdown() -> str:
    """Render every ErrorCode with its HTTP status: the source of docs/errors.md."""
    lines = [
        "# Error codes and HTTP statuses",
        "",
        "Generated from `STATUS_OF_CODE` in `src/kasse/api/problems.py`; a test keeps this file in step.",
        "Every domain refusal is `application/problem+json` with `extraDetails: [{name: \"ErrorCode\", reason}]`.",
        "Validation failures are 400 with one `extraDetails` entry per bad field and no ErrorCode.",
        "",
        "| ErrorCode | title | HTTP status |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {int(code)} | {code.title} | {status_of(code)} |" for code in ErrorCode]
    return "\n".join(lines) + "\n"
