"""Reading a JSON body into a strict model; every bad field becomes one `extraDetails` entry.

Every API body is read here, so the size limit (docs/decisions.md, "Request bodies") holds for the
hot ePayment routes and the FastAPI routes alike: a declared `Content-Length` over it is refused
before a byte is read, and a chunked body is counted while it arrives.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from starlette.requests import Request

from kasse.api.problems import ProblemError

M = TypeVar("M", bound=BaseModel)

MAX_BODY = 64 * 1024  # the largest legitimate body, a receipt with ~150 order lines, is well under it


def _field_name(error: ErrorDetails) -> str:
    parts = [str(p) for p in error["loc"]]
    return ".".join(parts) if parts else "body"


def validation_problem(exc: ValidationError) -> ProblemError:
    extra = [(_field_name(e), e["msg"]) for e in exc.errors(include_url=False)]
    return ProblemError(400, "One or more validation errors occurred.", extra)


def _too_large() -> ProblemError:
    return ProblemError(413, f"The body is larger than {MAX_BODY} bytes", [("body", f"at most {MAX_BODY} bytes")])


async def read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise _too_large()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise _too_large()
    return bytes(body)


def parse(model: type[M], raw: bytes, *, empty_ok: bool = False) -> M:
    if not raw.strip():
        if empty_ok:
            return model()
        raise ProblemError(400, "A request body is required.", [("body", "A non-empty JSON body is required.")])
    # pydantic's JSON parser has its own depth limit: 10,000 nested `[` is a 400, never a RecursionError
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise validation_problem(exc) from None
