"""Every exception the SDK raises, grouped by what the caller does next.

    KasseError
    ├── ApiError                  the server answered with an error status; carries the problem's fields
    │   ├── BadRequestError       400, 422 (and other 4xx): the request is wrong; fix it, do not resend it
    │   ├── AuthenticationError   401: wrong client_id, client_secret or subscription key, or a bad token
    │   ├── PermissionDeniedError 403: this sales unit may not do that
    │   ├── NotFoundError         404: no such payment, webhook, QR code or order
    │   ├── ConflictError         409: the reference or idempotency key belongs to another request
    │   ├── LockedError           423: the payment is busy; try again later with the same idempotency key
    │   ├── RateLimitedError      429: too many calls for this reference; wait `retry_after` seconds
    │   └── ServerError           5xx: try again later with the same idempotency key, or read back first
    ├── NetworkError              no answer: the request may or may not have been done; read back first
    ├── UnexpectedResponseError   a success whose body is not what the API promises
    ├── WaitTimeoutError          `payments.wait_for` gave up; the payment had not reached a wanted state
    └── InvalidWebhookError       a webhook whose signature, content hash or date is wrong, or that is unreadable
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True, slots=True)
class ExtraDetail:
    """One `{name, reason}` entry of a problem: a bad field, or `ErrorCode` with the code as reason."""

    name: str
    reason: str


class KasseError(Exception):
    """Base class of every error this SDK raises."""


class ApiError(KasseError):
    """The server answered with an error status; the fields are read from its problem body."""

    def __init__(
        self,
        status: int,
        *,
        title: str | None = None,
        detail: str | None = None,
        error_code: str | None = None,
        type: str | None = None,
        instance: str | None = None,
        trace_id: str | None = None,
        extra_details: tuple[ExtraDetail, ...] = (),
        invalid_params: tuple[ExtraDetail, ...] = (),
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.title = title
        self.detail = detail
        self.error_code = error_code
        self.type = type
        self.instance = instance
        self.trace_id = trace_id
        self.extra_details = extra_details
        self.invalid_params = invalid_params
        self.retry_after = retry_after
        super().__init__(_message(status, title, detail, error_code))


def _message(status: int, title: str | None, detail: str | None, error_code: str | None) -> str:
    """Say it once: `400 Payment cannot be captured (ErrorCode 6200): payment is EXPIRED`.

    Problem details often repeat the title (`detail: "Payment cannot be captured (payment is EXPIRED)"`);
    only what the detail adds after it is kept.
    """
    head = f"{status} {title or 'error'}" + (f" (ErrorCode {error_code})" if error_code else "")
    rest = (detail or "").strip()
    if title and rest.lower().startswith(title.lower()):
        rest = rest[len(title):].lstrip(" :.,;-")
        if rest.startswith("(") and rest.endswith(")"):
            rest = rest[1:-1].strip()
    return f"{head}: {rest}" if rest else head


class BadRequestError(ApiError):
    """The request is invalid (400, 422, other 4xx); `extra_details` or `invalid_params` name the fields."""


class AuthenticationError(ApiError):
    """The credentials or the access token were refused (401)."""


class PermissionDeniedError(ApiError):
    """The sales unit is not allowed to do this (403)."""


class NotFoundError(ApiError):
    """The payment, webhook, QR code or order does not exist for this sales unit (404)."""


class ConflictError(ApiError):
    """The reference or idempotency key is already used by a different request (409)."""


class LockedError(ApiError):
    """The payment is being changed by another call (423); retry later with the same idempotency key."""


class RateLimitedError(ApiError):
    """Too many calls for this reference (429); `retry_after` says how long to wait, when the server says."""


class ServerError(ApiError):
    """The server failed (5xx); retry with the same idempotency key, or read the payment back first."""


class NetworkError(KasseError):
    """No HTTP answer (connection refused, reset, timed out); the request may or may not have been done."""


class UnexpectedResponseError(KasseError):
    """A successful response whose body does not match the API's schema."""


class WaitTimeoutError(KasseError, TimeoutError):
    """`payments.wait_for` ran out of time; `payment` is the last state seen (None if never read)."""

    def __init__(self, reference: str, payment: object | None) -> None:
        super().__init__(f"payment {reference!r} did not reach a wanted state in time")
        self.reference = reference
        self.payment = payment


class InvalidWebhookError(KasseError, ValueError):
    """A webhook request that is not authentic (signature, content hash, date) or whose body is unreadable."""


_ERROR_OF_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: BadRequestError,
    423: LockedError,
    429: RateLimitedError,
}


def _error_class(status: int) -> type[ApiError]:
    if status >= 500:
        return ServerError
    return _ERROR_OF_STATUS.get(status, BadRequestError if 400 <= status < 500 else ApiError)


def _details(raw: object) -> tuple[ExtraDetail, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        ExtraDetail(str(item.get("name", "")), str(item.get("reason", "")))
        for item in raw
        if isinstance(item, dict)
    )


_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)


def _plain_text(body: str) -> str:
    """A body that is no problem (a proxy's error page) as one line of its text, markup and entities gone."""
    return " ".join(html.unescape(_TAG.sub(" ", body[:5000])).split())[:300]


def _text(problem: Mapping[str, Any], key: str) -> str | None:
    value = problem.get(key)
    return None if value is None else str(value)


def error_from_response(response: httpx.Response, retry_after: float | None = None) -> ApiError:
    """Return the exception for an error response, reading a problem body when there is one.

    Both problem shapes are read: ePayment/Webhooks (`traceId`, `extraDetails` with the ErrorCode)
    and QR/Order Management (`invalidParams`). Gateway errors without a body still get a class.
    """
    try:
        problem = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        problem = None
    if not isinstance(problem, dict):
        problem = {"detail": _plain_text(response.text) or None}
    extra = _details(problem.get("extraDetails"))
    code = next((d.reason for d in extra if d.name == "ErrorCode"), None) or _text(problem, "errorCode")
    return _error_class(response.status_code)(
        response.status_code,
        title=_text(problem, "title") or response.reason_phrase or None,
        # the Report API answers {code, message} (401) and {errorCode, errorMessage} (400) instead of a problem
        detail=_text(problem, "detail") or _text(problem, "message") or _text(problem, "errorMessage"),
        error_code=code,
        type=_text(problem, "type"),
        instance=_text(problem, "instance"),
        trace_id=_text(problem, "traceId"),
        extra_details=extra,
        invalid_params=_details(problem.get("invalidParams")),
        retry_after=retry_after,
    )
