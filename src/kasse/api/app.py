"""The platform's HTTP surface: the Vipps APIs, the control plane (not in production), the docs, problem+json.

Every module below serves `ROUTES`, a Starlette route list (most built from its table of
`OPERATIONS`, api/operations.py). To add an endpoint, add a row to its module's table; to add an API,
add its module to `VIPPS` or `CONTROL` (docs/architecture.md, "Where to add an endpoint"). The whole
server (wallet, POS, background loops) is assembled in `kasse.server`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from types import ModuleType

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import Lifespan

from kasse.api import docs, invalid_params, operator
from kasse.api.authentication import MerchantTokens, refused
from kasse.api.control import (
    clock,
    deliveries,
    events,
    faults,
    ledger_actions,
    ledgers,
    merchant_listing,
    merchants,
    requests,
    trigger,
    users,
)
from kasse.api.faults import LostResponseError
from kasse.api.operations import method_refusals
from kasse.api.problems import ProblemError, problem_response
from kasse.api.request_limits import LimitedStarlette
from kasse.api.request_recording import RequestRecording
from kasse.api.vipps import (
    accesstoken,
    epayment,
    miami,
    ordermanagement,
    qr,
    qr_callback,
    qr_exchange,
    qr_pages,
    qr_redirect,
    report,
    webhooks,
)
from kasse.container import Container
from kasse.domain.errors import UnstorableTextError
from kasse.domain.rate_limits import RateLimitedError

log = logging.getLogger("kasse.api")

# the official APIs, always served; ePayment first, its routes are the hot path
VIPPS: list[ModuleType] = [
    epayment,
    accesstoken,
    webhooks,
    qr_redirect,
    qr_callback,
    qr_exchange,
    qr,
    qr_pages,
    ordermanagement,
    report,
    miami,
]

# kasse's own pages served from api/, in every mode: the operator's sign-in for /_kasse and /console
ALWAYS: list[ModuleType] = [
    operator,
]

# kasse's own /_kasse control plane: mounted only outside production (the one check, in `api_routes`)
CONTROL: list[ModuleType] = [
    merchants,
    merchant_listing,
    clock,
    users,
    faults,
    deliveries,
    events,
    ledgers,
    ledger_actions,
    requests,
    trigger,
]


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(exc.status, exc.detail, request.scope["path"], exc.extra, headers=exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return problem_response(exc.status_code, str(exc.detail), request.scope["path"], headers=exc.headers)


async def _rate_limited(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RateLimitedError)
    return problem_response(429, str(exc), request.scope["path"], [("reference", exc.reference)],
                            headers={"Retry-After": str(exc.retry_after)})


async def _unstorable(request: Request, exc: Exception) -> Response:
    return problem_response(400, str(exc), request.scope["path"], [("text", "must not contain a NUL character")])


async def _crash(request: Request, exc: Exception) -> Response:
    if isinstance(exc, LostResponseError):  # an armed fault, not a crash: the connection is dropped on purpose
        log.info("%s", exc)
        raise exc
    if isinstance(exc, ClientDisconnect):  # not a crash: the client went away; RequestLimits notes it quietly
        raise exc
    # never leak internals: the log has the traceback, the client gets a trace id
    log.exception("unhandled error on %s %s", request.method, request.scope["path"])
    return problem_response(500, "An unexpected error occurred.", request.scope["path"])


HANDLERS = {
    ProblemError: _problem,
    invalid_params.ParamsProblemError: invalid_params.handle,  # the QR and Order Management error shape
    HTTPException: _http_error,
    RateLimitedError: _rate_limited,  # contract §4.13 (adapters/rate_limits.py)
    UnstorableTextError: _unstorable,  # a NUL in any text a store would see (adapters/postgres/connection.py)
    Exception: _crash,
}


def api_routes(container: Container) -> list[BaseRoute]:
    """Return every API route, the docs and a 405 for each other method on a served path."""
    modules = VIPPS + ALWAYS + ([] if container.settings.production else CONTROL)
    served = [route for module in modules for route in module.ROUTES]
    return [*served, *docs.ROUTES, *method_refusals(served)]


def create_api(container: Container, *, pages: Sequence[BaseRoute] = (),
               lifespan: Lifespan[Starlette] | None = None) -> Starlette:
    """Return the ASGI app of the APIs, with `pages` (wallet, POS) served after them."""
    middleware = [Middleware(AuthenticationMiddleware, backend=MerchantTokens(), on_error=refused)]
    if container.requests is not None:  # outside authentication, so refused credentials are logged too
        middleware.insert(0, Middleware(RequestRecording, recorder=container.requests, clock=container.clock))
    app = LimitedStarlette(  # body limits and quiet hang-ups for every route (api/request_limits.py)
        routes=[*api_routes(container), *pages],
        middleware=middleware,
        exception_handlers=dict(HANDLERS),
        lifespan=lifespan,
    )
    app.state.container = container
    return app
