"""JSON responses serialized once with orjson; routes return these instead of models."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

JSON = "application/json"


def json_response(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(content), status_code=status, media_type=JSON, headers=headers)


def raw_json(body: bytes, status: int, headers: dict[str, str] | None = None) -> Response:
    media = "application/problem+json" if status >= 400 else JSON
    return Response(body, status_code=status, media_type=media, headers=headers)
