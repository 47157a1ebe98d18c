"""A sales unit's payment events as a live Server-Sent Events stream, for `kasse listen` (test only).

Only for that sales unit: the request carries its access token, subscription key and MSN exactly as an
ePayment call does (contract §2.3), so a shared sandbox shows no one another unit's payments.

Fed by the event log: each commit wakes the stream (`kasse.live_streams`, like every live page), which
reads the events after the last one it sent. Each message's `id` is the event's position in the log, so a
client that reconnects with `Last-Event-ID` (or `?after=`) misses nothing when a stream ends.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence

import orjson
from starlette.requests import Request
from starlette.responses import Response

from kasse import live_streams
from kasse.api.context import container
from kasse.api.control import KASSE_CONTROL
from kasse.api.operations import Access, Answer, Operation, Query, routes
from kasse.api.problems import ProblemError
from kasse.container import Container
from kasse.domain.events import PaymentEvent
from kasse.domain.merchant import MSN_PATTERN
from kasse.services.topics import EVENTS

BATCH = 500
_MSN = re.compile(MSN_PATTERN)


def _start(request: Request, c: Container) -> int:
    raw = request.headers.get("last-event-id") or request.query_params.get("after")
    if raw is None:
        return c.db.read(lambda uow: uow.event_feed.last_position())  # from now on
    if not raw.isdigit():
        raise ProblemError(400, "after must be an event position", [("after", "a non-negative integer")])
    return int(raw)


async def _since(c: Container, msn: str, position: int) -> Sequence[tuple[int, PaymentEvent]]:
    return await c.db.query(lambda uow: uow.event_feed.since(msn, position, BATCH))


def _reader(c: Container, msn: str, after: int) -> live_streams.Read:
    position = after

    async def read() -> AsyncIterator[bytes]:
        nonlocal position
        while True:
            batch = await _since(c, msn, position)
            for at, event in batch:
                yield b"id: %d\nevent: payment\ndata: %s\n\n" % (at, orjson.dumps(event.to_webhook()))
            if batch:
                position = batch[-1][0]
            if len(batch) < BATCH:
                return

    return read


async def event_stream(request: Request) -> Response:
    c = container(request)
    msn = request.user.msn  # authenticated before routing (api/authentication.py), like an ePayment call
    asked = request.query_params.get("msn")
    if asked is not None and not _MSN.match(asked):
        raise ProblemError(400, "msn must be 4-10 digits", [("msn", "4-10 digits")])
    if asked is not None and asked != msn:
        raise ProblemError(403, "The msn is not the access token's sales unit", [("msn", "not this sales unit")])
    after = _start(request, c)
    return live_streams.respond(request, lambda: c.commits.subscribe(EVENTS), c.commits.unsubscribe,
                                _reader(c, msn, after))


OPERATIONS = (
    Operation("GET", "/_kasse/events/stream", event_stream, "streamEvents", KASSE_CONTROL,
              "Follow a sales unit's payment events",
              "A Server-Sent Events stream (what `kasse listen` reads): one `payment` message per event, its data "
              "the webhook payload, its id the event's position. Reconnect with Last-Event-ID (or `?after=`) to "
              "miss nothing; a stream ends itself after 25 seconds, and at once when the server stops.",
              Answer(200, "The stream", media="text/event-stream"), Access.MERCHANT,
              query=(Query("msn", "The sales unit; the token's own if left out",
                           {"type": "string", "pattern": "^[0-9]{4,10}$"}),
                     Query("after", "Start after this position", {"type": "integer", "minimum": 0}))),
)

ROUTES = routes(OPERATIONS)
