"""The ASGI application: routers, problem+json for every error, and the background loops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.problems import ProblemError, problem_response
from kasse.api.routes import accesstoken, control, pages, payments
from kasse.bootstrap import Container, build
from kasse.settings import Settings
from kasse.worker import run_background

log = logging.getLogger("kasse.api")


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(exc.status, exc.detail, request.url.path, exc.extra, headers=exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return problem_response(exc.status_code, str(exc.detail), request.url.path, headers=exc.headers)


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    extra = [(".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]), e["msg"]) for e in exc.errors()]
    return problem_response(400, "One or more validation errors occurred.", request.url.path, extra)


async def _crash(request: Request, exc: Exception) -> Response:
    # never leak internals: the log has the traceback, the client gets a trace id
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(500, "An unexpected error occurred.", request.url.path)


def create_app(container: Container) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(run_background(container, stop)) if container.settings.run_worker else None
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task

    app = FastAPI(
        title="kasse",
        version="0.1.0",
        summary="In-person mobile payments, wire-compatible with the Vipps MobilePay APIs",
        lifespan=lifespan,
    )
    app.state.container = container
    app.add_exception_handler(ProblemError, _problem)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(Exception, _crash)
    for module in (accesstoken, payments, control, pages):
        app.include_router(module.router)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for granian worker processes: settings come from KASSE_* variables."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return create_app(build(Settings.from_env()))
