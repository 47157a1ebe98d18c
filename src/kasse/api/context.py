"""Access to the wired container from a request."""

from __future__ import annotations

from starlette.requests import Request

from kasse.container import Container


def container(request: Request) -> Container:
    found: Container = request.app.state.container
    return found
