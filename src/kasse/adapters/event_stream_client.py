"""The client side of kasse's live event stream (`GET /_kasse/events/stream`, served by `api/control/events.py`).

Only what `kasse listen` needs: the `id:` and `data:` fields of each message. The server ends each
stream after a few seconds; the caller reconnects with the last position and misses nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import orjson

STREAM = "/_kasse/events/stream"


class EventStreamError(Exception):
    """The stream could not be read: `reached` tells whether the server answered at all."""

    def __init__(self, message: str, *, reached: bool) -> None:
        super().__init__(message)
        self.reached = reached


class HttpxEventStream:
    def __init__(self, base_url: str, *, transport: httpx.BaseTransport | None = None) -> None:
        # the server sends a comment at least every 15 s, so 60 s of silence means the connection is gone
        self._http = httpx.Client(base_url=base_url, timeout=httpx.Timeout(10.0, read=60.0), trust_env=False,
                                  transport=transport)

    @property
    def base_url(self) -> str:
        return str(self._http.base_url).rstrip("/")

    def close(self) -> None:
        self._http.close()

    def events(self, msn: str, after: int | None, connected: Callable[[], None] | None = None
               ) -> Iterator[tuple[int, dict[str, Any]]]:
        """Yield (log position, WebhookEvent payload) until the server ends the stream.

        `connected` is called once the server has answered: it has then fixed where the stream starts, so
        no event made from then on is missed.

        Raises:
            EventStreamError: kasse is unreachable, the connection broke, or the stream was refused.
        """
        params: dict[str, str | int] = {"msn": msn} if after is None else {"msn": msn, "after": after}
        try:
            with self._http.stream("GET", STREAM, params=params) as r:
                if r.status_code != 200:
                    r.read()
                    raise EventStreamError(f"the server refused the event stream: HTTP {r.status_code} {r.text}",
                                           reached=True)
                if connected is not None:
                    connected()
                position: int | None = None
                for line in r.iter_lines():
                    if line.startswith("id: "):
                        position = int(line[4:])
                    elif line.startswith("data: ") and position is not None:
                        yield position, orjson.loads(line[6:])
        except httpx.HTTPError as exc:
            raise EventStreamError(f"{type(exc).__name__}: {exc}", reached=False) from exc
