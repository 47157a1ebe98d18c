"""The platform's HTTP surface: the Vipps APIs, the control plane (not in production), problem+json for errors.

The whole server (wallet, POS, background loops) is assembled in `kasse.server`.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Lifespan

from kasse.api import invalid_params, operator
from kasse.api.control import (
    clock,
    deliveries,
    events,
    faults,
    ledger_actions,
    ledgers,
    merchant_listing,
    merchants,
    users,
)
from kasse.api.faults import LostResponseError
from kasse.api.problems import ProblemError, problem_response
from kasse.api.request_limits import LimitedStarlette
from kasse.api.vipps import accesstoken, epayment, miami, ordermanagement, qr, qr_pages, report, webhooks
from kasse.container import Container
from kasse.domain.rate_limits import RateLimitedError

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
    if isinstance(exc, ClientDisconnect):  # not a crash: the client went away; RequestLimits notes it quietly
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


# ePayment's hot routes go in front (epayment.ROUTES)
VIPPS = (accesstoken, webhooks, qr, qr_pages, ordermanagement, report, miami)
CONTROL = (merchants, clock, users, faults, deliveries, events, ledgers)  # /_kasse/: never mounted in production
CONTROL_ROUTES = (merchant_listing, ledger_actions)  # /_kasse/ modules written as Starlette route lists (`ROUTES`)


def create_api(container: Container) -> FastAPI:
    """Return the FastAPI app of every API but ePayment's hot routes; the control plane only outside production."""
    app = FastAPI(
        title="kasse",
        version="0.1.0",
        summary="In-person mobile payments, wire-compatible with the Vipps MobilePay APIs",
    )
    app.state.container = container
    for exc_class, handler in HANDLERS.items():
        app.add_exception_handler(exc_class, handler)
    for module in VIPPS + (() if container.settings.production else CONTROL):
        app.include_router(module.router)
    for listed in () if container.settings.production else CONTROL_ROUTES:
        app.router.routes.extend(listed.ROUTES)
    return app


def front(api: ASGIApp, container: Container, lifespan: Lifespan[Starlette] | None = None) -> Starlette:
    """Put ePayment's hot routes (plain Starlette endpoints, no dependency solving) in front of `api`."""
    app = LimitedStarlette(  # body limits and quiet hang-ups for every route (api/request_limits.py)
        routes=[*epayment.ROUTES, *operator.ROUTES, Mount("", app=api)],
        exception_handlers=dict(HANDLERS),
        lifespan=lifespan,
    )
    app.state.container = container
    return app
