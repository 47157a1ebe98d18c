"""Server-sent event streams, and the one way kasse waits for a wake-up: every live page and feed uses both.

The wallet's pages, the till and its customer display, and `kasse listen` each follow something that
changes. Each stream is the same loop: read what changed, send it, wait to be woken (a commit, a till
change) or for `RECHECK` to pass (changes written by another process wake no one here), and end after
`LIFETIME`, when the client reconnects by itself (EventSource does; so does `kasse listen`).

A stopping server must not wait for them: granian waits for open responses when it stops and tells the
app nothing, so a page left open held Ctrl-C up for ~20 s. Every stream is counted in the app's
`LiveStreams`, which `close_on_signals` closes the moment SIGINT or SIGTERM arrives, saying how many.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable
from types import FrameType
from typing import Any

from starlette.requests import Request
from starlette.responses import StreamingResponse

LIFETIME = 25.0  # seconds a stream lives; then the client reconnects
RECHECK = 1.0  # seconds between reads when nothing woke the stream; also a keep-alive for proxies and clients
RETRY_MS = 1000  # how soon a client reconnects after a stream ends (the SSE `retry` field)
HEADERS = {"cache-control": "no-store", "x-accel-buffering": "no"}
STATE_KEY = "live_streams"  # where the lifespan leaves the app's LiveStreams in every request's state

log = logging.getLogger("kasse.live_streams")

Read = Callable[[], AsyncIterator[str | bytes]]


async def woken(*events: asyncio.Event, timeout: float | None) -> bool:
    """Wait until any event is set or `timeout` seconds pass (None: no time limit); tell whether one was set."""
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        done, _ = await asyncio.wait(waiters, timeout=None if timeout is None else max(0.0, timeout),
                                     return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    return bool(done)


class LiveStreams:
    """The open streams of one app, and the switch that ends them all when the server stops."""

    def __init__(self) -> None:
        self.open = 0
        self.closing = asyncio.Event()

    def close(self) -> None:
        """End every open stream now and refuse new ones (the server is stopping)."""
        if self.closing.is_set():
            return
        self.closing.set()
        log.info("closing %d live stream%s", self.open, "" if self.open == 1 else "s")


def of(request: Request) -> LiveStreams:
    """Return the app's streams; an app run without its lifespan (some tests) gets a registry of its own."""
    state = request.scope.setdefault("state", {})
    found = state.get(STATE_KEY)
    if not isinstance(found, LiveStreams):
        found = state[STATE_KEY] = LiveStreams()
    return found


def close_on_signals(streams: LiveStreams, signals: tuple[int, ...] = (signal.SIGINT, signal.SIGTERM)) -> None:
    """Close `streams` when a stop signal arrives, leaving the event loop's own handling of it in place.

    The server (granian) already handles these signals through the loop's `add_signal_handler`, which
    hears of them through the wakeup fd rather than through Python's handler; this replaces only the
    Python-level handler (a no-op there), so both run. Call it from the lifespan, on the main thread.
    """
    loop = asyncio.get_running_loop()
    previous = {sig: signal.getsignal(sig) for sig in signals}

    def handler(signum: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(streams.close)
        chained: Any = previous.get(signum)
        if callable(chained):
            chained(signum, frame)

    for sig in signals:
        signal.signal(sig, handler)


def respond(request: Request, subscribe: Callable[[], asyncio.Event], unsubscribe: Callable[[asyncio.Event], None],
            read: Read, *, lifetime: float | None = None) -> StreamingResponse:
    """Answer with a stream that sends what `read` yields each time it is woken, for at most `lifetime` seconds
    (`LIFETIME` unless given).

    `subscribe` returns the event that is set when what `read` looks at may have changed; `read` keeps its
    own memory of what it sent, so it yields only what is new.
    """
    streams = of(request)
    lives = LIFETIME if lifetime is None else lifetime
    return StreamingResponse(_follow(streams, subscribe, unsubscribe, read, lives),
                             media_type="text/event-stream", headers=HEADERS)


async def _follow(streams: LiveStreams, subscribe: Callable[[], asyncio.Event],
                  unsubscribe: Callable[[asyncio.Event], None], read: Read, lifetime: float,
                  ) -> AsyncIterator[str | bytes]:
    if streams.closing.is_set():  # the server is stopping: the client will find the next one
        yield f"retry: {RETRY_MS}\n\n"
        return
    loop = asyncio.get_running_loop()
    ends = loop.time() + max(0.0, lifetime)
    wake = subscribe()
    streams.open += 1  # counted before the first byte leaves, so a client that has it is counted
    try:
        yield f"retry: {RETRY_MS}\n\n"
        while True:
            wake.clear()
            async for message in read():
                yield message
            remaining = ends - loop.time()
            if remaining <= 0 or streams.closing.is_set():
                return
            await woken(wake, streams.closing, timeout=min(remaining, RECHECK))
            if streams.closing.is_set():
                return
            # a gone client is noticed by starlette, which cancels this generator; polling
            # `request.is_disconnected()` here made granian end healthy streams early (kasse listen broke)
            yield ": keep-alive\n\n"
    finally:
        streams.open -= 1
        unsubscribe(wake)
