"""Access to the wired container from a request, and running idempotent writes."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

from kasse.adapters.sql.repositories import SqlUnitOfWork
from kasse.api.problems import domain_problem
from kasse.bootstrap import Container
from kasse.domain.errors import DomainError
from kasse.services.idempotency import Rendered, fingerprint, run_idempotent


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
    raw: bytes,
    action: Callable[[SqlUnitOfWork], Rendered],
) -> Rendered:
    """Run `action` in one transaction under the request's Idempotency-Key."""
    path = request.url.path
    request_fingerprint = fingerprint(operation, path, raw)

    def render_error(err: DomainError) -> Rendered:
        return Rendered(*domain_problem(err, path))

    def job(uow: SqlUnitOfWork) -> Rendered:
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
