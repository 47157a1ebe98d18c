"""The whole server: the platform's APIs, the wallet, the POS and the background loops, in one ASGI app.

`kasse serve` points granian at `create_app_from_env`; tests call `create_app` with their own container.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette

from kasse import pos, wallet
from kasse.api import openapi
from kasse.api.app import create_api, front
from kasse.api.csrf import CsrfMiddleware
from kasse.api.operator import OperatorGate
from kasse.bootstrap import build
from kasse.container import Container
from kasse.settings import Settings
from kasse.workers import run_workers


def create_app(container: Container) -> Starlette:
    """Return the whole application: the hot ePayment routes in front, FastAPI for the rest and the docs."""
    api = create_api(container)
    wallet.install(api)
    till = pos.install(api, container.settings)
    openapi.install(api)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        background = container.settings.run_worker  # the POS's loop runs with the platform's, as before
        running = asyncio.create_task(run_workers(container, stop, platform=background,
                                                  pos=till if background and till else None))
        try:
            yield
        finally:
            stop.set()
            await running
            if till is not None:
                till.close()

    app = front(api, container, lifespan)
    # outermost last: cross-site requests are refused first, then the operator's door, then staff sign-in
    app.add_middleware(pos.StaffGate, runtime=till, settings=container.settings)
    app.add_middleware(OperatorGate, settings=container.settings)
    app.add_middleware(CsrfMiddleware, settings=container.settings)
    return app


def build_app(settings: Settings) -> tuple[Starlette, Container]:
    """Wire a container for `settings` and return the application over it (the pytest plugin's servers)."""
    container = build(settings)
    return create_app(container), container


def create_app_from_env() -> Starlette:
    """Factory for granian worker processes: settings come from KASSE_* variables."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app, _ = build_app(Settings.from_env())
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
