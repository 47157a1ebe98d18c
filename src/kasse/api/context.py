"""Access to the wired container from a request, running idempotent writes, and counting calls against
the per-reference rate limits inside the transaction that serves them (shared by every process on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import orjson
from pydantic import BaseModel
from starlette.requests import Request

from kasse.api.problems import domain_problem
from kasse.container import Container
from kasse.domain.errors import DomainError
from kasse.services.idempotency import Rendered, fingerprint, run_idempotent
from kasse.services.ports import UnitOfWork

T = TypeVar("T")


def container(request: Request) -> Container:
    found: Container = request.app.state.container
    return found


async def idempotent_write(
    c: Container,
    request: Request,
    *,
    msn: str,
    key: str | None,
    operation: str,
    body: BaseModel,
    action: Callable[[UnitOfWork], Rendered],
    limit: tuple[str, str] | None = None,
    reads: tuple[str, str] | None = None,
) -> Rendered:
    """Run `action` in one transaction under the request's Idempotency-Key, first counting the call
    against the rate limit of `operation` for `limit` (scope, reference); RateLimitedError when it is over.
    `reads` names the payment (msn, reference) the action reads, so a store can fetch it with the key.

    Two requests are the same when their parsed bodies are: spacing, key order and spelled-out
    defaults do not make a retry a different request.
    """
    path: str = request.scope["path"]
    canonical = orjson.dumps(body.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    request_fingerprint = fingerprint(operation, path, canonical)

    def render_error(err: DomainError) -> Rendered:
        return Rendered(*domain_problem(err, path))

    def job(uow: UnitOfWork) -> Rendered:
        if reads is not None:
            uow.payments.expect(*reads)
        if limit is not None:
            c.limiter.hit(uow, operation, *limit)
        return run_idempotent(
            uow,
            c.clock,
            msn=msn,
            key=key,
            operation=operation,
            request_fingerprint=request_fingerprint,
            action=lambda: action(uow),
            render_error=render_error,
        )

    return await c.db.write(job)


def counted(c: Container, operation: str, scope: str, reference: str,
            read: Callable[[UnitOfWork], T]) -> Callable[[UnitOfWork], T]:
    """Return `read` preceded by counting the call against its rate limit (RateLimitedError when over)."""

    def counted_read(uow: UnitOfWork) -> T:
        c.limiter.hit(uow, operation, scope, reference)
        return read(uow)

    return counted_read
