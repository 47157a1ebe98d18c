"""Access to the wired container from a request, and running idempotent writes."""

from __future__ import annotations

from collections.abc import Callable

import orjson
from pydantic import BaseModel
from starlette.requests import Request

from kasse.api.problems import domain_problem
from kasse.container import Container
from kasse.domain.errors import DomainError
from kasse.services.idempotency import Rendered, fingerprint, run_idempotent
from kasse.services.ports import UnitOfWork


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
) -> Rendered:
    """Run `action` in one transaction under the request's Idempotency-Key.

    Two requests are the same when their parsed bodies are: spacing, key order and spelled-out
    defaults do not make a retry a different request.
    """
    path: str = request.scope["path"]
    canonical = orjson.dumps(body.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    request_fingerprint = fingerprint(operation, path, canonical)

    def render_error(err: DomainError) -> Rendered:
        return Rendered(*domain_problem(err, path))

    def job(uow: UnitOfWork) -> Rendered:
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
