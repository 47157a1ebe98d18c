"""Idempotent writes (contract §4.11): the first HTTP answer per sales unit and key is stored and replayed.

Same key and same request replays the stored answer byte for byte; same key and a different request
is a conflict; a refused request (4xx) stays refused for its key. What is stored is the rendered HTTP
answer, so this lives with the HTTP layer; it runs inside the operation's transaction, so the answer
and the change it describes commit together. Two requests are the same when their parsed bodies are:
spacing, key order and spelled-out defaults do not make a retry a different request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel

from kasse.api.problems import domain_problem
from kasse.container import Container
from kasse.domain.errors import DomainError, ErrorCode
from kasse.services.ports import Clock, StoredResponse, UnitOfWork

# contract §4.11: which ErrorCode a reused key with a different request gets, by operation
CONFLICT_CODES: dict[str, ErrorCode] = {
    "capture": ErrorCode.CAPTURE_IDEMPOTENCY_CONFLICT,
    "refund": ErrorCode.REFERENCE_EXISTS,
}


@dataclass(frozen=True, slots=True)
class Rendered:
    """An HTTP answer as bytes, ready to send and to store."""

    status: int
    body: bytes
    replayed: bool = False


def fingerprint(operation: str, path: str, body: bytes) -> str:
    """Return what makes two requests 'the same request' for a key: operation, path and body."""
    return hashlib.sha256(f"{operation}\n{path}\n".encode() + body).hexdigest()


@dataclass(frozen=True, slots=True)
class Write:
    """One idempotent write: who, under which key, which request, the use case and how its result is shown."""

    msn: str
    key: str | None
    operation: str
    path: str
    request_fingerprint: str
    use_case: Callable[[UnitOfWork], Any]  # the use case with its arguments bound (functools.partial)
    render: Callable[[Any], Any]  # its result as the wire object (api/render.py)
    status: int  # of a success


def run_once(uow: UnitOfWork, clock: Clock, write: Write) -> Rendered:
    """Replay the key's stored answer, refuse a different request under it, or run and store the answer."""
    if write.key is not None:
        stored = uow.idempotency.get(write.msn, write.key)
        if stored is not None:
            if stored.fingerprint == write.request_fingerprint:
                return Rendered(stored.status, stored.body, replayed=True)
            code = CONFLICT_CODES.get(write.operation, ErrorCode.IDEMPOTENCY_ERROR)
            conflict = DomainError(code, f"Idempotency-Key '{write.key}' was used for a different request")
            return Rendered(*domain_problem(conflict, write.path))
    try:
        answer = Rendered(write.status, orjson.dumps(write.render(write.use_case(uow))))
    except DomainError as err:
        answer = Rendered(*domain_problem(err, write.path))
    if write.key is not None:
        stored = StoredResponse(write.request_fingerprint, answer.status, answer.body)
        uow.idempotency.put(write.msn, write.key, stored, clock.now())
    return answer


def request_fingerprint(operation: str, path: str, body: BaseModel) -> str:
    """Return the fingerprint of a parsed request: its canonical JSON, so spelling differences do not count."""
    return fingerprint(operation, path, orjson.dumps(body.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS))


async def write_once(c: Container, write: Write, reference: str) -> Rendered:
    """Run `write` in one transaction under the request's Idempotency-Key (see `run_once`).

    The transaction first names the payment it reads (a store may fetch it with the key) and counts the
    call against the reference's rate limit: RateLimitedError (429) when over, and nothing is stored.
    """

    def job(uow: UnitOfWork) -> Rendered:
        uow.payments.expect(write.msn, reference)
        c.limiter.hit(uow, write.operation, write.msn, reference)
        return run_once(uow, c.clock, write)

    return await c.db.write(job, reads=None if write.key is None else (write.msn, reference, write.key))
