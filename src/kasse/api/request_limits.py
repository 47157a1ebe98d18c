"""Request bodies and hang-ups, for every route kasse serves, in front of everything else (docs/security.md).

Every body is held to its route's rule (`BODY_RULES`; 64 KiB unless the table says otherwise): a declared
`Content-Length` over the limit is refused with 413 before the application runs, a chunked body is counted
as it arrives and cut off at the limit, and a body that has not fully arrived by its deadline gets 408. Both
answers close the connection, so a 400 MB upload costs kasse one chunk of memory, not 400 MB.

A client that goes away mid-body or mid-response is a normal event: one short debug line, never a
traceback, and nothing waits on it (the application sees `ClientDisconnect` and stops).

A path with a NUL in it (`/p/%00`) names nothing kasse keeps, and PostgreSQL cannot even look one up (a 500
on every route that did): it is a 404 here, before any route runs. The QR API is left to answer its own 400
naming the id (`NUL_CHECKED_BY_ROUTES`), as it does for the other control characters. A query with one
(`?token=%00`) is a 400 naming the query, so a page that streams its answer never starts on one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kasse.api.problems import problem_response

log = logging.getLogger("kasse.http")

KIB = 1024
MAX_BODY = 64 * KIB  # the largest legitimate body, a receipt with ~150 order lines, is well under it
NUL_CHECKED_BY_ROUTES = ("/qr/v1/",)  # its ids with control characters are a 400 naming the field (contract §6)


@dataclass(frozen=True, slots=True)
class BodyRule:
    """How large a route's body may be, and how long it may take to arrive in full."""

    limit: int  # bytes
    deadline: float  # seconds from the start of the request until the last byte of its body


DEFAULT_RULE = BodyRule(MAX_BODY, 5.0)  # APIs, POS, wallet forms, the POS's webhook receiver, /_kasse, any new route
# the only routes allowed more; docs/security.md lists them in the same table
BODY_RULES: Mapping[tuple[str, str], BodyRule] = {
    # the wallet scanner's multipart upload of a phone photo of a QR code: 8 MiB takes a minute at 1 Mbit/s
    ("POST", "/wallet/scan"): BodyRule(8 * KIB * KIB, 60.0),
}


BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _expects_body(scope: Scope, declared: int | None) -> bool:
    if declared is not None:
        return declared > 0
    chunked = any(name == b"transfer-encoding" for name, _ in scope["headers"])
    return chunked or scope["method"] not in BODILESS_METHODS  # HTTP/2 may send a body with no length


class _Exchange:
    """One request's body accounting, and the gate on what the application may still send."""

    def __init__(self, scope: Scope, receive: Receive, send: Send, rule: BodyRule, declared: int | None) -> None:
        self.scope, self._receive, self._send, self.rule = scope, receive, send, rule
        self.waited = 0.0  # seconds spent waiting for parts of the body: the deadline is the client's, not ours
        self.received = 0
        self.body_done = not _expects_body(scope, declared)
        self.started = False  # the response has begun
        self.closed = False  # we answered for the application, or the client went away: drop what it sends
        self.gone = False  # the client went away

    @property
    def where(self) -> str:
        return f"{self.scope['method']} {self.scope['path']}"

    async def receive(self) -> Message:
        if self.closed:
            return {"type": "http.disconnect"}
        # once the body is in, the application only waits for the client to go away (a live stream): no deadline
        message = await (self._receive() if self.body_done else self._next_part())
        if self.closed:  # answered with 408 meanwhile: one line for it, none for the disconnect that follows
            return {"type": "http.disconnect"}
        if message["type"] == "http.disconnect":
            self.went_away("mid-body" if not self.body_done else "before the answer")
            return message
        if message["type"] == "http.request" and not self.closed:
            self.received += len(message.get("body", b""))  # counted even where no body was expected
            self.body_done = self.body_done or not message.get("more_body", False)
            if self.received > self.rule.limit:
                await self.refuse(413, f"The body is larger than {self.rule.limit} bytes",
                                  f"at most {self.rule.limit} bytes")
        return {"type": "http.disconnect"} if self.closed else message

    async def _next_part(self) -> Message:
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout(max(self.rule.deadline - self.waited, 0.0)):
                return await self._receive()
        except TimeoutError:
            await self.refuse(408, f"The body did not arrive within {self.rule.deadline:g} seconds",
                              f"must arrive within {self.rule.deadline:g} s")
            return {"type": "http.disconnect"}
        finally:
            self.waited += loop.time() - started

    async def send(self, message: Message) -> None:
        if self.closed:
            return
        if message["type"] == "http.response.start":
            self.started = True
        try:
            await self._send(message)
        except OSError:  # the server could not write: the client went away mid-response
            self.went_away("mid-response")
            raise ClientDisconnect() from None

    async def refuse(self, status: int, detail: str, reason: str) -> None:
        """Answer for the application and close the connection; the application then sees a disconnect."""
        log.debug("%s refused with %d: %s", self.where, status, detail)
        if not self.started:
            self.started = True
            response = problem_response(status, detail, self.scope["path"], [("body", reason)],
                                        headers={"connection": "close"})
            try:
                await response(self.scope, self._receive, self._send)
            except OSError:
                self.gone = True
        self.closed = True

    def went_away(self, when: str) -> None:
        if not self.gone:
            log.debug("client went away %s: %s", when, self.where)
        self.gone = self.closed = True


class RequestLimits:
    """ASGI middleware: body limits, body deadlines and quiet hang-ups (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, default: BodyRule = DEFAULT_RULE,
                 rules: Mapping[tuple[str, str], BodyRule] = BODY_RULES) -> None:
        self.app = app
        self.default = default
        self.rules = rules

    def rule_for(self, method: str, path: str) -> BodyRule:
        """Return the route's entry in the rules, else the default."""
        return self.rules.get((method, path.rstrip("/") or "/"), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] and not scope["path"].startswith(NUL_CHECKED_BY_ROUTES):
            await problem_response(404, "Not found", scope["path"].replace("\x00", "%00"))(scope, receive, send)
            return
        if b"%00" in scope.get("query_string", b""):
            await problem_response(400, "The query may not contain a NUL character (%00).", scope["path"],
                                   [("query", "must not contain %00")])(scope, receive, send)
            return
        rule = self.rule_for(scope["method"], scope["path"])
        declared = _declared_length(scope)
        exchange = _Exchange(scope, receive, send, rule, declared)
        if declared is not None and declared > rule.limit:  # refused before a byte of it is read
            await exchange.refuse(413, f"The body is larger than {rule.limit} bytes", f"at most {rule.limit} bytes")
            return
        try:
            await self.app(scope, exchange.receive, exchange.send)
        except ClientDisconnect:
            if not exchange.closed:
                exchange.went_away("before the answer")  # quietly, once: never a traceback


class LimitedStarlette(Starlette):
    """A Starlette application with `RequestLimits` outside everything, its error middleware included.

    Outside, so that a hang-up the error middleware re-raises ends here instead of in the server's log.
    """

    def build_middleware_stack(self) -> ASGIApp:
        return RequestLimits(super().build_middleware_stack())
