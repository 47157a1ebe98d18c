"""The one live-stream loop: it sends what `read` finds new each time it is woken, and ends the moment the
server closes the app's streams (#13.7, #14.7)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.requests import Request

from kasse import live_streams


def test_a_stream_sends_what_read_finds_each_time_it_is_woken_and_ends_when_the_streams_close() -> None:
    async def scenario() -> tuple[list[str], int, int, bool]:
        request = Request({"type": "http", "state": {}})
        streams = live_streams.of(request)
        wake, subscribed = asyncio.Event(), []
        changes = iter(["a", "b"])
        current = ""

        async def read() -> AsyncIterator[str]:
            yield f"data: {current}\n\n"

        def unsubscribe(event: asyncio.Event) -> None:
            subscribed.remove(event)

        def subscribe() -> asyncio.Event:
            subscribed.append(wake)
            return wake

        response = live_streams.respond(request, subscribe, unsubscribe, read, lifetime=60)
        sent: list[str] = []
        body = response.body_iterator
        sent.append(str(await anext(body)))  # retry
        open_while_streaming = streams.open
        for change in changes:
            current = change
            wake.set()
            sent.append(str(await anext(body)))
        streams.close()
        sent.extend([str(chunk) async for chunk in body])
        return sent, open_while_streaming, streams.open, bool(subscribed)

    sent, open_while_streaming, open_after, still_subscribed = asyncio.run(scenario())

    assert sent[0] == f"retry: {live_streams.RETRY_MS}\n\n"
    assert [s for s in sent if s.startswith("data")] == ["data: a\n\n", "data: b\n\n"]
    assert (open_while_streaming, open_after, still_subscribed) == (1, 0, False)


def test_a_stream_asked_for_after_the_close_ends_at_once() -> None:
    async def scenario() -> list[str]:
        request = Request({"type": "http", "state": {}})
        live_streams.of(request).close()

        async def read() -> AsyncIterator[str]:
            yield "data: never\n\n"

        response = live_streams.respond(request, asyncio.Event, lambda e: None, read)
        return [str(chunk) async for chunk in response.body_iterator]

    assert asyncio.run(scenario()) == [f"retry: {live_streams.RETRY_MS}\n\n"]


def test_woken_tells_whether_an_event_came_before_the_timeout() -> None:
    async def scenario() -> tuple[bool, bool]:
        event = asyncio.Event()
        quiet = await live_streams.woken(event, timeout=0.01)
        event.set()
        return quiet, await live_streams.woken(event, timeout=10)

    assert asyncio.run(scenario()) == (False, True)
