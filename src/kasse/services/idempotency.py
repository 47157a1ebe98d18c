"""Idempotent writes (contract §4.11): the first response per sales unit and key is stored and replayed.

Same key and same request replays the stored response verbatim; same key and a different request
is a conflict; a refused request (4xx) stays refused for its key. The caller runs this inside the
transaction of the operation, so a stored response and the change it describes commit together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from kasse.domain.errors import DomainError, ErrorCode
from kasse.services.ports import Clock, StoredResponse, UnitOfWork

# contract §4.11: which ErrorCode a reused key with a different request gets, by operation
CONFLICT_CODES: dict[str, ErrorCode] = {
    "capture": ErrorCode.CAPTURE_IDEMPOTENCY_CONFLICT,
    "refund": ErrorCode.REFERENCE_EXISTS,
}


@dataclass(frozen=True, slots=True)
class Rendered:
    """An HTTP outcome as bytes, ready to send and to store."""

    status: int
    body: bytes
    replayed: bool = False


def fingerprint(operation: str, path: str, body: bytes) -> str:
    """Return what makes two requests 'the same request' for a key: operation, path and body."""
    return hashlib.sha256(f"{operation}\n{path}\n".encode() + body).hexdigest()


def run_idempotent(
    uow: UnitOfWork,
    clock: Clock,
    *,
    msn: str,
    key: str | None,
    operation: str,
    request_fingerprint: str,
    action: Callable[[], Rendered],
    render_error: Callable[[DomainError], Rendered],
) -> Rendered:
    """Run `action` once per key; replay, refuse as a conflict, or run and store its outcome."""
    if key is None:
        try:
            return action()
        except DomainError as err:
            return render_error(err)
    stored = uow.idempotency.get(msn, key)
    if stored is not None:
        if stored.fingerprint != request_fingerprint:
            code = CONFLICT_CODES.get(operation, ErrorCode.IDEMPOTENCY_ERROR)
            return render_error(DomainError(code, f"Idempotency-Key '{key}' was used for a different request"))
        return Rendered(stored.status, stored.body, replayed=True)
    try:
        outcome = action()
    except DomainError as err:
        outcome = render_error(err)
    uow.idempotency.put(msn, key, StoredResponse(request_fingerprint, outcome.status, outcome.body), clock.now())
    return outcome
