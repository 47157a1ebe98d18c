"""The request log's ear on the wire: a pure ASGI middleware that hands every official API exchange to the recorder.

It copies what it sees (at most `CAPTURE` bytes of each body) and queues it; redaction and storage happen
later, off the request's path (services/request_recording.py). Kasse's own pages, static files and the
/_kasse control plane are not recorded: the log is of the calls a merchant's software makes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kasse.api.faults import LostResponseError
from kasse.services.ports import Clock
from kasse.services.request_recording import Exchange, RequestRecorder

# the official APIs (api/vipps): what a POS, an SDK or curl calls
RECORDED = ("/accesstoken/", "/epayment/", "/webhooks/", "/qr/v1", "/order-management/", "/settlement/",
            "/report/", "/miami/")
CAPTURE = 64 * 1024  # bytes kept of each body for redaction; the log stores a few KiB of what remains
NO_ANSWER = 0  # the connection was dropped (a client that left, an armed lost-response fault)
LATE_BODY_SECONDS = 0.05  # how long a refused request's unread body may take to arrive before it is left out


class RequestRecording:
    """Time each official API request and queue it, with its answer, for the request log."""

    def __init__(self, app: ASGIApp, recorder: RequestRecorder, clock: Clock) -> None:
        self.app = app
        self.recorder = recorder
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(RECORDED):
            await self.app(scope, receive, send)
            return
        at, started = self.clock.now(), time.perf_counter()
        asked, answered = bytearray(), bytearray()
        status = 500  # what the client gets when the application raises before answering
        unread = scope["method"] not in ("GET", "HEAD", "DELETE", "OPTIONS")  # until the body has been read

        async def receiving() -> Message:
            nonlocal unread
            message = await receive()
            if message["type"] == "http.request":
                unread = bool(message.get("more_body"))
                if len(asked) < CAPTURE:
                    asked.extend(message.get("body", b"")[:CAPTURE - len(asked)])
            return message

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and len(answered) < CAPTURE:
                answered.extend(message.get("body", b"")[:CAPTURE - len(answered)])
            await send(message)

        try:
            # a bodiless request's receive is passed through untouched: one wrapper less on the hot path
            await self.app(scope, receiving if unread else receive, sending)
            if unread and status < 500:  # refused before its body was read (a missing header): read it for the log
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(_drain(receiving, asked), LATE_BODY_SECONDS)
        except (LostResponseError, ClientDisconnect):
            status = NO_ANSWER
            raise
        finally:
            user = scope.get("user")
            self.recorder.offer(Exchange(
                at=at, method=scope["method"], path=scope["path"], query=scope.get("query_string", b""),
                headers=scope["headers"], msn=getattr(user, "msn", None), status=status,
                duration_ms=(time.perf_counter() - started) * 1000, request_body=bytes(asked),
                response_body=bytes(answered),
            ))


async def _drain(receive: Receive, kept: bytearray) -> None:
    while len(kept) < CAPTURE:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            return
