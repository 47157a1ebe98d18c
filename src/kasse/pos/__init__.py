"""The merchant's POS: cashier page, customer display, unmanned points, settlement and reconciliation.

It talks to the platform only through `kasse.sdk`, so the same POS runs against kasse or the real hosts.
`install` mounts its pages and returns the `PosRuntime` whose `run` is its background loop.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from kasse.pos.access import StaffGate
from kasse.pos.config import PosConfig, from_settings, missing_credentials
from kasse.pos.runtime import PosRuntime
from kasse.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("kasse.pos")

__all__ = ["PosConfig", "PosRuntime", "StaffGate", "install"]


def install(app: FastAPI, settings: Settings) -> PosRuntime | None:
    """Add the POS's pages, API and static files to `app`; nothing starts until the runtime's `run`.

    None when the POS has no sales unit to sell for (production mode without KASSE_POS_*): `StaffGate`
    then answers every /pos request with a page that says so.
    """
    from kasse.pos import end_of_day_routes, pages, routes, signin, store_info, vending_routes

    config = from_settings(settings)
    if config is None:
        log.warning("the POS is off: production mode needs %s (README: Running kasse on a network)",
                    ", ".join(missing_credentials(settings)))
        return None
    runtime = PosRuntime(config)
    app.state.pos = runtime
    app.router.routes.extend(signin.ROUTES)
    app.include_router(routes.router)
    app.include_router(pages.router)
    app.include_router(vending_routes.router)
    app.include_router(end_of_day_routes.router)
    app.router.routes.extend(store_info.ROUTES)
    app.mount("/pos/static", StaticFiles(directory=STATIC), name="pos-static")
    return runtime

