"""The request log on the control plane: `GET /_kasse/requests`, what `kasse logs` and the console read.

Newest last. Without `after` it answers the newest `limit` requests; with `after` (the id of the last one
seen) those that came since, oldest first, so a follower polls with the last id it has.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from kasse.api.context import container
from kasse.api.control import KASSE_CONTROL
from kasse.api.operations import Answer, Operation, Query, routes
from kasse.api.problems import ProblemError
from kasse.api.responses import json_response
from kasse.api.schemas.control_requests import RequestOut
from kasse.domain.timefmt import rfc3339
from kasse.services.read_models import STATUS_CLASSES, RequestRecord

MAX_LIMIT = 1000
MAX_TEXT = 200
MAX_ID = 2**62


def request_wire(r: RequestRecord) -> dict[str, Any]:
    return {"id": r.id, "at": rfc3339(r.at), "method": r.method, "path": r.path, "query": r.query,
            "status": r.status, "durationMs": r.duration_ms, "msn": r.msn, "reference": r.reference,
            "idempotencyKey": r.idempotency_key, "requestHeaders": r.request_headers,
            "requestBody": r.request_body, "responseBody": r.response_body}


def _number(raw: str | None, name: str, low: int, high: int, default: int | None) -> int | None:
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19 or not low <= int(raw) <= high:
        raise ProblemError(400, f"{name} must be an integer {low}..{high}", [(name, f"an integer {low}..{high}")])
    return int(raw)


def _text(raw: str | None, name: str) -> str | None:
    if raw is None or raw == "":
        return None
    if len(raw) > MAX_TEXT:
        raise ProblemError(400, f"{name} is at most {MAX_TEXT} characters", [(name, f"at most {MAX_TEXT} characters")])
    return raw


def parse_status(raw: str | None) -> str | None:
    """Return a status filter: a class such as `4xx`, or a three-digit code; 400 problem otherwise."""
    if raw is None or raw == "":
        return None
    lowered = raw.lower()
    if lowered in STATUS_CLASSES or (len(raw) == 3 and raw.isascii() and raw.isdigit() and raw[0] in "12345"):
        return lowered
    raise ProblemError(400, "status must be 2xx, 3xx, 4xx, 5xx or a status code such as 200",
                       [("status", "2xx, 3xx, 4xx, 5xx or a code 100..599")])


async def list_requests(request: Request) -> Response:
    c, q = container(request), request.query_params
    unknown = sorted(set(q) - {"msn", "reference", "status", "after", "before", "limit"})
    if unknown:
        raise ProblemError(400, f"Unknown query parameter {unknown[0]}", [(unknown[0], "not a parameter")])
    msn, reference, status = _text(q.get("msn"), "msn"), _text(q.get("reference"), "reference"), parse_status(
        q.get("status"))
    after = _number(q.get("after"), "after", 0, MAX_ID, 0) or 0
    before = _number(q.get("before"), "before", 1, MAX_ID, None)
    limit = _number(q.get("limit"), "limit", 1, MAX_LIMIT, 100) or 100
    found = await c.db.query(lambda uow: uow.request_log.search(msn=msn, reference=reference, status=status,
                                                                after=after, before=before, limit=limit))
    return json_response([request_wire(r) for r in found])


OPERATIONS = (
    Operation("GET", "/_kasse/requests", list_requests, "listRequests", KASSE_CONTROL, "List logged API requests",
              "Every request to the official APIs, newest last, with its sales unit, payment reference, "
              "Idempotency-Key, status, latency and bodies (credentials and secrets are never stored). Without "
              "`after`, the newest `limit`; with `after` (the id of the last request seen), those that came since, "
              "oldest first: poll with the last id to follow the log, as `kasse logs --follow` does.",
              Answer(200, "The requests, newest last", RequestOut, many=True),
              query=(Query("msn", "Only this sales unit's", {"type": "string", "maxLength": MAX_TEXT}),
                     Query("reference", "Only those about this payment", {"type": "string", "maxLength": MAX_TEXT}),
                     Query("status", "Only this status class (2xx, 4xx, 5xx ...) or code (200)",
                           {"type": "string", "example": "4xx"}),
                     Query("after", "Only requests after this id (a cursor)", {"type": "integer", "minimum": 0}),
                     Query("before", "Only requests before this id (paging back)", {"type": "integer", "minimum": 1}),
                     Query("limit", f"At most this many (1-{MAX_LIMIT}, default 100)",
                           {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}))),
)

ROUTES = routes(OPERATIONS)
