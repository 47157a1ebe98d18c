"""Reading a JSON body into a strict model; every bad field becomes one `extraDetails` entry."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from starlette.requests import Request

from kasse.api.problems import ProblemError

M = TypeVar("M", bound=BaseModel)

MAX_BODY = 256 * 1024


def _field_name(error: ErrorDetails) -> str:
    parts = [str(p) for p in error["loc"]]
    return ".".join(parts) if parts else "body"


def validation_problem(exc: ValidationError) -> ProblemError:
    extra = [(_field_name(e), e["msg"]) for e in exc.errors(include_url=False)]
    return ProblemError(400, "One or more validation errors occurred.", extra)


async def read_body(request: Request) -> bytes:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise ProblemError(413, f"The body is larger than {MAX_BODY} bytes", [("body", "too large")])
    return body


def parse(model: type[M], raw: bytes, *, empty_ok: bool = False) -> M:
    if not raw.strip():
        if empty_ok:
            return model()
        raise ProblemError(400, "A request body is required.", [("body", "A non-empty JSON body is required.")])
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise validation_problem(exc) from None
