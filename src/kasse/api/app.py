"""The ASGI application: routers, problem+json for every error, and the background loops."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount

from kasse import pos, wallet
from kasse.api import invalid_params, openapi
from kasse.api.faults import LostResponseError
from kasse.api.problems import ProblemError, problem_response
from kasse.api.routes import (
    accesstoken,
    control,
    deliveries,
    event_stream,
    faults,
    ordermanagement,
    pages,
    payments,
    qr,
    users,
    webhooks,
)
from kasse.bootstrap import Container, build
from kasse.domain.rate_limits import RateLimitedError
from kasse.settings import Settings
from kasse.worker import follow_clock, run_background

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


async def _rate_limited(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimitedError)
    return problem_response(429, str(exc), request.url.path, [("reference", exc.reference)],
                            headers={"Retry-After": str(exc.retry_after)})


async def _crash(request: Request, exc: Exception) -> Response:
    if isinstance(exc, LostResponseError):  # an armed fault, not a crash: the connection is dropped on purpose
        log.info("%s", exc)
        raise exc
    # never leak internals: the log has the traceback, the client gets a trace id
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(500, "An unexpected error occurred.", request.url.path)


HANDLERS = {
    ProblemError: _problem,
    invalid_params.ParamsProblemError: invalid_params.handle,  # the QR and Order Management error shape
    HTTPException: _http_error,
    RequestValidationError: _invalid,
    RateLimitedError: _rate_limited,  # contract §4.13 (adapters/rate_limits.py)
    Exception: _crash,
}


def create_app(container: Container) -> Starlette:
    """Return the whole application: the hot ePayment routes in front, FastAPI for the rest and the docs."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        running = [asyncio.create_task(follow_clock(container, stop))]
        if container.settings.run_worker:  # run_background follows the clock itself
            running = [asyncio.create_task(run_background(container, stop)),
                       asyncio.create_task(wallet.run_behaviours(container, stop)),
                       asyncio.create_task(till.run(stop))]
        try:
            yield
        finally:
            stop.set()
            for task in running:
                await task

    app = FastAPI(
        title="kasse",
        version="0.1.0",
        summary="In-person mobile payments, wire-compatible with the Vipps MobilePay APIs",
    )
    app.state.container = container
    for exc_class, handler in HANDLERS.items():
        app.add_exception_handler(exc_class, handler)
    for module in (accesstoken, control, faults, pages, webhooks, deliveries, event_stream, qr, ordermanagement, users):
        app.include_router(module.router)
    wallet.install(app)
    till = pos.install(app, container.settings)
    openapi.install(app)
    front = Starlette(
        routes=[*payments.ROUTES, Mount("", app=app)],
        exception_handlers=dict(HANDLERS),
        lifespan=lifespan,
    )
    front.state.container = container
    return front


def create_app_from_env() -> Starlette:
    """Factory for granian worker processes: settings come from KASSE_* variables."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app(build(Settings.from_env()))
    settle_garbage_collector()
    return app


def settle_garbage_collector() -> None:
    """Keep the collector off the request path.

    The ~130k objects of the loaded libraries are never garbage, yet every full collection walked
    them (55-90 ms pauses that set the p99, bench/README.md). Freezing moves them out of its sight,
    and a larger first generation makes collections rarer; kasse's request path makes no cycles.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
