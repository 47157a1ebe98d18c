"""The simulated customer wallet: a small phone-style web app over the wallet use cases.

`install` adds its routes and static files to the application; its background loop (the users'
scripted behaviours) lives in `kasse.workers.wallet`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"

__all__ = ["install"]


def install(app: FastAPI) -> None:
    """Add the wallet's pages and static files to the application."""
    from kasse.wallet import landing, pages

    app.include_router(pages.router)
    app.include_router(landing.router)
    app.mount("/wallet/static", StaticFiles(directory=STATIC), name="wallet-static")
