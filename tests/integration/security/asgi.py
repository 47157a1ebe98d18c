"""Raw ASGI calls, for what a TestClient cannot do: a body that never ends, a client that hangs up, a dead socket."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Exchange:
    """What the application did with one request: how many body parts it read and what it sent."""

    parts_read: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> int | None:
        starts = [m["status"] for m in self.sent if m["type"] == "http.response.start"]
        return starts[0] if starts else None

    @property
    def headers(self) -> dict[str, str]:
        starts = [m for m in self.sent if m["type"] == "http.response.start"]
        return {k.decode(): v.decode() for k, v in starts[0]["headers"]} if starts else {}


def scope(method: str, path: str, headers: dict[str, str]) -> dict[str, Any]:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 5000),
            "headers": [(n.lower().encode(), v.encode()) for n, v in headers.items()]}


async def call(app: Any, method: str, path: str, headers: dict[str, str], parts: Iterable[bytes] = (b"",), *,
               hang_up: bool = False, stall: bool = False, send_fails: bool = False) -> Exchange:
    """Send `parts` as the body; then (`hang_up`) report a disconnect, or (`stall`) never send another part.

    `send_fails`: the socket is dead by the time the answer is written (a hang-up mid-response).
    """
    exchange = Exchange()
    chunks: Iterator[bytes] = iter(parts)
    pending = next(chunks, None)

    async def receive() -> dict[str, Any]:
        nonlocal pending
        await asyncio.sleep(0)  # a server's receive suspends, as granian's does
        if pending is None:
            if stall:
                await asyncio.Event().wait()
            return {"type": "http.disconnect"}
        part, pending = pending, next(chunks, None)
        exchange.parts_read += 1
        return {"type": "http.request", "body": part, "more_body": pending is not None or hang_up or stall}

    async def send(message: dict[str, Any]) -> None:
        if send_fails and message["type"] == "http.response.body":
            raise ConnectionResetError("the client went away")
        exchange.sent.append(message)

    await app(scope(method, path, headers), receive, send)
    return exchange
