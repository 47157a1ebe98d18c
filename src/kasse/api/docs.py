"""The API docs: `/openapi.json`, Swagger UI at `/docs` and Redoc at `/redoc`, all without the internet.

The document is generated once per app from the operations it serves (api/openapi.py). The pages'
scripts and styles are served from this machine, out of a maintained package that ships them
(`fastapi-offline`), never from a CDN, so the docs work in a classroom without a connection.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kasse.api.openapi import document
from kasse.api.operations import OperationRoute
from kasse.api.responses import json_response


def _assets() -> Path:
    # located without importing the package (its __init__ imports FastAPI, which the APIs do not use)
    spec = importlib.util.find_spec("fastapi_offline")
    assert spec is not None and spec.submodule_search_locations, "fastapi-offline is not installed"
    return Path(next(iter(spec.submodule_search_locations))) / "static"


ASSETS = _assets()
ASSETS_PATH = "/docs/assets"

_SWAGGER = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>kasse API</title>
<link rel="icon" type="image/png" href="{ASSETS_PATH}/favicon.png">
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script></body></html>"""

# validatorUrl null: Swagger UI would otherwise send the document to an online validator
_START = """window.ui = SwaggerUIBundle({
  url: "/openapi.json", dom_id: "#swagger-ui", validatorUrl: null, deepLinking: true,
  persistAuthorization: true, displayRequestDuration: true, tryItOutEnabled: false,
  presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout"
});"""

_REDOC = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>kasse API</title>
<link rel="icon" type="image/png" href="{ASSETS_PATH}/favicon.png">
<style>body {{ margin: 0; padding: 0; }}</style></head>
<body><redoc spec-url="/openapi.json"></redoc>
<script src="{ASSETS_PATH}/redoc.standalone.js"></script></body></html>"""


# the pages may load nothing from elsewhere: Redoc's sidebar logo (a CDN image it hides when it fails to
# load) is stopped by the browser itself, so the docs never reach out even where a network is there
OFFLINE = {"content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                      "script-src 'self'; worker-src 'self' blob:; connect-src 'self'"}


def openapi_document(request: Request) -> dict[str, Any]:
    """Return the document of the app's served operations, built on the first call."""
    state = request.app.state
    found: dict[str, Any] | None = getattr(state, "openapi", None)
    if found is None:
        operations = [r.operation for r in request.app.routes if isinstance(r, OperationRoute)]
        found = state.openapi = document(operations, production=state.container.settings.production)
    return found


async def openapi_json(request: Request) -> Response:
    return json_response(openapi_document(request))


async def swagger_ui(request: Request) -> Response:
    return HTMLResponse(_SWAGGER, headers=OFFLINE)


async def swagger_start(request: Request) -> Response:
    return Response(_START, media_type="text/javascript")


async def redoc(request: Request) -> Response:
    return HTMLResponse(_REDOC, headers=OFFLINE)


ROUTES = [
    Route("/openapi.json", openapi_json, methods=["GET"]),
    Route("/docs", swagger_ui, methods=["GET"]),
    Route("/docs/start.js", swagger_start, methods=["GET"]),
    Mount(ASSETS_PATH, app=StaticFiles(directory=ASSETS)),
    Route("/redoc", redoc, methods=["GET"]),
]
