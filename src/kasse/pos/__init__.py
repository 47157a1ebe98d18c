"""The merchant's POS: cashier page, customer display, unmanned points, settlement and reconciliation.

It talks to the platform only through `kasse.sdk`, so the same POS runs against kasse or the real hosts.
`install` mounts its pages and returns the `PosRuntime` whose `run` is its background loop.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from kasse.pos.config import PosConfig, from_settings
from kasse.pos.runtime import PosRuntime
from kasse.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"

__all__ = ["PosConfig", "PosRuntime", "install"]


def install(app: FastAPI, settings: Settings) -> PosRuntime:
    """Add the POS's pages, API and static files to `app`; nothing starts until the runtime's `run`."""
    from kasse.pos import end_of_day_routes, pages, routes, vending_routes

    runtime = PosRuntime(from_settings(settings))
    app.state.pos = runtime
    app.include_router(routes.router)
    app.include_router(pages.router)
    app.include_router(vending_routes.router)
    app.include_router(end_of_day_routes.router)
    app.mount("/pos/static", StaticFiles(directory=STATIC), name="pos-static")
    return runtime

