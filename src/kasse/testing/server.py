"""A kasse server for tests: in this process, on a free loopback port, with its own SQLite file.

It runs granian's embedded server on an event loop in a daemon thread, so starting one costs the
schema migration and a socket (a few hundred ms), not a new Python process (about 3 s). Or it stands
for a kasse already running elsewhere (`--kasse-url`), which the tests then share.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kasse.adapters.control_plane import ControlPlaneError, HttpxControlPlane

if TYPE_CHECKING:
    from granian.server.embed import Server

    from kasse.container import Container

START_TIMEOUT = 30.0  # seconds; a cold first start on a busy CI box takes a few


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class KasseServer:
    """A kasse the tests talk to: `url`, its `control` plane client, and `container` when it runs in this process."""

    url: str
    control: HttpxControlPlane
    container: Container | None = None
    _serving: _Serving | None = field(default=None, repr=False)

    @classmethod
    def remote(cls, url: str) -> KasseServer:
        """Stand for a kasse already running at `url`; check that it answers and has a control plane.

        A kasse reachable from the network asks for the operator token: it is sent from $KASSE_ADMIN_TOKEN.
        """
        server = cls(url.rstrip("/"), HttpxControlPlane(url, token=os.environ.get("KASSE_ADMIN_TOKEN") or None))
        server.control.call("GET", "/_kasse/clock")
        return server

    @classmethod
    def start(cls, database: Path, **settings: Any) -> KasseServer:
        """Start a fresh kasse on a free loopback port, storing in `database` (SQLite), demo data seeded.

        `settings` override kasse's `Settings` (e.g. `production=True`, `rate_limits=False`).
        """
        from granian.constants import Interfaces
        from granian.server.embed import Server

        from kasse.server import build_app
        from kasse.settings import Settings

        port = _free_port()
        app, container = build_app(Settings(**{"database": str(database), "port": port, "synchronous": "NORMAL",
                                               **settings}))
        serving = _Serving(Server(app, address="127.0.0.1", port=port,
                                  interface=Interfaces.ASGI, log_enabled=False))
        control = HttpxControlPlane(f"http://127.0.0.1:{port}", token=container.settings.admin_token)
        server = cls(f"http://127.0.0.1:{port}", control, container, serving)
        serving.thread.start()
        server._wait_until_up()
        return server

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                self.control.call("GET", "/_kasse/clock")
                return
            except ControlPlaneError as exc:
                if exc.status is not None:  # it answers (a production-mode kasse has no /_kasse/clock)
                    return
                if time.monotonic() > deadline or (self._serving and not self._serving.thread.is_alive()):
                    self.stop()
                    raise
            time.sleep(0.01)  # paces the look; the socket is not ours to wait on

    def stop(self) -> None:
        """Stop the server (its background loops finish first) and close its database; a remote one is left be."""
        self.control.close()
        if self._serving is None:
            return
        self._serving.stop()
        if self.container is not None:
            self.container.db.close()


class _Serving:
    """granian on an event loop of its own in a daemon thread; `stop` may be called from any thread."""

    def __init__(self, granian: Server) -> None:
        self.granian = granian
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name=f"kasse:{granian.bind_port}", daemon=True)

    def _run(self) -> None:
        try:
            self.loop.run_until_complete(self.granian.serve())
        finally:
            self.loop.close()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.granian.stop)  # the lifespan ends kasse's loops, then granian exits
            self.thread.join(START_TIMEOUT)
