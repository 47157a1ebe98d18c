"""Where this server's POS keeps its sales (`GET /pos/api/database`), so `kasse pos reconcile` reads that file.

Run from another directory, the CLI would otherwise resolve `./var/kasse-pos.db` against its own working
directory and reconcile an empty or stale file ("0 sales compared") while the till has sales.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kasse.pos.views import runtime


async def database(request: Request) -> Response:
    configured = runtime(request).config.database
    path = configured if configured == ":memory:" else str(Path(configured).resolve())
    return JSONResponse({"path": path, "msn": runtime(request).config.msn})


ROUTES = [Route("/pos/api/database", database, methods=["GET"])]
