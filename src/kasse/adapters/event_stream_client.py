"""The client side of kasse's live event stream (`GET /_kasse/events/stream`, served by `api/control/events.py`).

Only what `kasse listen` needs: the `id:` and `data:` fields of each message. The server ends each
stream after 25 s (at once when it stops); the caller reconnects with the last position and misses
nothing. The stream shows one sales unit's events to that unit only, so each connection carries its
access token (fetched from `/accesstoken/get` and fetched again when refused), subscription key and MSN.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

STREAM = "/_kasse/events/stream"

_TAG = re.compile(r"<[^>]*>")


def _one_line(body: str) -> str:
    """An answer's text for one line of an error: a problem's JSON as it is, a web page without its markup."""
    return " ".join(_TAG.sub(" ", body[:2000]).split())[:300]


@dataclass(frozen=True)
class SalesUnit:
    """The credentials the stream asks for (contract §2)."""

    msn: str
    client_id: str
    client_secret: str = field(repr=False)
    subscription_key: str = field(repr=False)


class EventStreamError(Exception):
    """The stream could not be read: `reached` tells whether the server answered at all."""

    def __init__(self, message: str, *, reached: bool) -> None:
        super().__init__(message)
        self.reached = reached


class HttpxEventStream:
    def __init__(self, base_url: str, unit: SalesUnit, *, transport: httpx.BaseTransport | None = None) -> None:
        # the server sends a comment about every second (live_streams.RECHECK): 60 s of silence is a gone connection
        self._http = httpx.Client(base_url=base_url, timeout=httpx.Timeout(10.0, read=60.0), trust_env=False,
                                  transport=transport)
        self.unit = unit
        self._token: str | None = None

    @property
    def base_url(self) -> str:
        return str(self._http.base_url).rstrip("/")

    def close(self) -> None:
        self._http.close()

    def _headers(self) -> dict[str, str]:
        if self._token is None:
            unit = self.unit
            r = self._http.post("/accesstoken/get", headers={
                "client_id": unit.client_id, "client_secret": unit.client_secret,
                "Ocp-Apim-Subscription-Key": unit.subscription_key, "Merchant-Serial-Number": unit.msn})
            try:
                self._token = str(r.json()["access_token"]) if r.status_code == 200 else None
            except (ValueError, KeyError, TypeError):
                self._token = None
            if self._token is None:
                raise EventStreamError(f"the server refused the sales unit's credentials: HTTP {r.status_code}"
                                       f" {_one_line(r.text)}", reached=True)
        return {"Authorization": f"Bearer {self._token}", "Ocp-Apim-Subscription-Key": self.unit.subscription_key,
                "Merchant-Serial-Number": self.unit.msn}

    def events(self, after: int | None, connected: Callable[[], None] | None = None
               ) -> Iterator[tuple[int, dict[str, Any]]]:
        """Yield (log position, WebhookEvent payload) until the server ends the stream.

        `connected` is called once the server has answered: it has then fixed where the stream starts, so
        no event made from then on is missed.

        Raises:
            EventStreamError: kasse is unreachable, the connection broke, or the stream was refused.
        """
        params: dict[str, str | int] = {} if after is None else {"after": after}
        reused = self._token is not None
        try:
            with self._http.stream("GET", STREAM, params=params, headers=self._headers()) as r:
                if r.status_code == 401 and reused:  # the token expired (time travel, or an hour passed)
                    self._token = None
                    return
                if r.status_code != 200:
                    r.read()
                    raise EventStreamError(f"the server refused the event stream: HTTP {r.status_code} "
                                           f"{_one_line(r.text)}", reached=True)
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
