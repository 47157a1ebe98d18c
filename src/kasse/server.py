"""The whole server: the platform's APIs, the wallet, the POS and the background loops, in one ASGI app.

`kasse serve` points granian at `create_app_from_env`; tests call `create_app` with their own container.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from kasse import console, live_streams, pos, wallet
from kasse.api.app import HANDLERS, create_api
from kasse.api.csrf import CsrfMiddleware
from kasse.api.operator import OperatorGate
from kasse.api.problems import problem_response
from kasse.bootstrap import build
from kasse.container import Container
from kasse.settings import Settings
from kasse.workers import run_workers


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    extra = [(".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]), e["msg"]) for e in exc.errors()]
    return problem_response(400, "One or more validation errors occurred.", request.scope["path"], extra)


def _pages(container: Container) -> FastAPI:
    """Return the app of the console's, the wallet's and the POS's pages (FastAPI routers), served after the APIs."""
    pages = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    pages.state.container = container
    for exc_class, handler in {**HANDLERS, RequestValidationError: _invalid}.items():
        pages.add_exception_handler(exc_class, handler)
    return pages


# every path a browser-page guard below acts on starts with one of these (a superset: the guards check exactly)
GUARDED_PREFIXES = ("/pos", "/wallet", "/console", "/_kasse")


class PageGuards:
    """The browser pages' guards, passed only by requests to the pages and the control plane.

    In order: cross-site requests are refused first (`CsrfMiddleware`), then the operator's door
    (`OperatorGate`), then staff sign-in (`StaffGate`). Each looks at the path and lets the APIs through
    untouched; one prefix check here spares an API request (the hot path) the three calls.
    """

    def __init__(self, app: ASGIApp, *, container: Container, till: pos.PosRuntime | None) -> None:
        settings = container.settings
        self.app = app
        self.guarded = CsrfMiddleware(OperatorGate(pos.StaffGate(app, runtime=till, settings=settings),
                                                   settings=settings), settings=settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(GUARDED_PREFIXES):
            return await self.guarded(scope, receive, send)
        return await self.app(scope, receive, send)


def create_app(container: Container, *, close_streams_on_signals: bool = False) -> Starlette:
    """Return the whole application: the APIs and their docs, then the console's, the wallet's and the POS's pages.

    `close_streams_on_signals`: in a server process of its own (granian's worker), SIGINT and SIGTERM end
    the open live streams at once, so the server stops without waiting for them (kasse.live_streams).
    """
    pages = _pages(container)
    console.install(pages, container.settings)
    if not container.settings.production:  # the simulated customers' app; production has real ones
        wallet.install(pages)
    till = pos.install(pages, container.settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, object]]:
        streams = live_streams.LiveStreams()
        if close_streams_on_signals:
            live_streams.close_on_signals(streams)
        stop = asyncio.Event()
        background = container.settings.run_worker  # the POS's loop runs with the platform's, as before
        running = asyncio.create_task(run_workers(container, stop, platform=background,
                                                  pos=till if background and till else None))
        # every process flushes the requests it served, whether or not it runs the platform's loops
        recording = asyncio.create_task(container.requests.run(stop)) if container.requests else None
        try:
            yield {live_streams.STATE_KEY: streams}  # each request's state: where its live streams are counted
        finally:
            streams.close()
            stop.set()
            await running
            if recording is not None:
                await recording
            if till is not None:
                till.close()

    app = create_api(container, pages=[Mount("", app=pages)], lifespan=lifespan)
    app.state.pos = till
    app.add_middleware(PageGuards, container=container, till=till)
    return app


def build_app(settings: Settings) -> tuple[Starlette, Container]:
    """Wire a container for `settings` and return the application over it (the pytest plugin's servers)."""
    container = build(settings)
    return create_app(container), container


def configure_logging() -> None:
    """kasse's own INFO lines, but not one line per request the POS or a worker sends (httpx's INFO)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)


def create_app_from_env() -> Starlette:
    """Factory for granian worker processes: settings come from KASSE_* variables."""
    configure_logging()
    container = build(Settings.from_env())
    app = create_app(container, close_streams_on_signals=True)
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
