"""Reading a JSON body into a strict model; every bad field becomes one `extraDetails` entry.

The size limit and the deadline of every body (docs/security.md) are held in front of every route by
`kasse.api.request_limits`, so reading here needs no checks of its own.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from starlette.requests import Request

from kasse.api.problems import ProblemError

M = TypeVar("M", bound=BaseModel)

def _field_name(error: ErrorDetails) -> str:
    parts = [str(p) for p in error["loc"]]
    return ".".join(parts) if parts else "body"


def validation_problem(exc: ValidationError) -> ProblemError:
    extra = [(_field_name(e), e["msg"]) for e in exc.errors(include_url=False)]
    return ProblemError(400, "One or more validation errors occurred.", extra)


async def read_body(request: Request) -> bytes:
    return await request.body()


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
