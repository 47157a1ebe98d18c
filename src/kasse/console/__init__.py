"""The sandbox console: the sandbox seen from above, for developers and teachers.

Payments with one timeline each, the request log, webhooks, time and faults, sales units and test users,
ledgers. Test mode only: production has no console (like `/_kasse`); an exposed test instance guards it
with the operator token (`api/operator.py`). Every page is a module of this package with a `router`;
`install` includes each, so adding a page is adding a module (docs/architecture.md).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from fastapi import APIRouter, FastAPI
from starlette.staticfiles import StaticFiles

from kasse.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"

__all__ = ["install"]


def page_modules() -> list[str]:
    """Return the names of this package's modules that serve pages (they have a `router`), sorted."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))


def install(app: FastAPI, settings: Settings) -> None:
    """Add the console's pages and static files to the pages app; production gets only the front door at `/`."""
    if settings.production:
        from kasse.console import front_door

        app.include_router(front_door.router)
        return
    for name in page_modules():
        router = getattr(importlib.import_module(f"{__name__}.{name}"), "router", None)
        if isinstance(router, APIRouter):
            app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
