"""One table per API: each row is an operation, the route that serves it and what the docs say about it.

An `Operation` holds the handler and its rules as data: who may call it (`Access`), the headers it reads
with their limits (`Header`), its JSON body model and its answers. `routes` turns rows into Starlette
routes that check those rules before the handler runs, and `api/openapi.py` turns the same rows into the
OpenAPI document, so a route and its documentation cannot drift apart. A refusal is worded the way the
operation's API words it (`Shape`): RFC 7807 problem+json, or the QR and Order Management `invalidParams`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from kasse.api.authentication import SalesUnit
from kasse.api.invalid_params import ParamsProblemError
from kasse.api.problems import ProblemError

Endpoint = Callable[[Request], Awaitable[Response]]


class Access(Enum):
    """Who may call an operation."""

    OPEN = "OPEN"  # no sales unit: the access token itself, pages, the /_kasse control plane
    MERCHANT = "MERCHANT"  # bearer token, subscription key and Merchant-Serial-Number (contract §2.3)
    MERCHANT_MSN_OPTIONAL = "MERCHANT_MSN_OPTIONAL"  # the token names the sales unit; the MSN may be left out
    OWN_TOKEN = "OWN_TOKEN"  # a bearer token the handler checks itself (the Report API: merchant or partner)


class Shape(Enum):
    """How an API words a refusal (contract §4.10.1)."""

    PROBLEM = "PROBLEM"  # application/problem+json with extraDetails: ePayment, Webhooks, Access token, /_kasse
    PARAMS = "PARAMS"  # application/json with invalidParams: the QR and Order Management APIs

    def refusal(self, status: int, detail: str, params: Iterable[tuple[str, str]] = (),
                headers: dict[str, str] | None = None) -> Exception:
        if self is Shape.PARAMS:
            return ParamsProblemError(status, detail, list(params), headers=headers)
        return ProblemError(status, detail, params, headers=headers)


@dataclass(frozen=True)
class Api:
    """One of the APIs kasse serves: its name in the docs and how it words a refusal."""

    tag: str
    description: str
    shape: Shape = Shape.PROBLEM


@dataclass(frozen=True)
class Header:
    """A request header an operation reads, with the rules the API's spec gives it."""

    name: str
    description: str
    required: bool = False
    max_length: int | None = None
    ascii_only: bool = False  # printable ASCII only: no control characters, nothing beyond 0x7e
    values: tuple[str, ...] = ()  # the accepted values, compared case-insensitively
    media_range: bool = False  # like Accept: only the first media range counts, parameters aside
    integer: tuple[int, int] | None = None  # an integer within these bounds
    example: str | None = None

    def problem(self, value: str | None) -> str | None:
        """Return what is wrong with the header's value, or None."""
        if value is None or value == "":
            return f"The {self.name} header is required." if self.required else None
        if self.max_length is not None and len(value) > self.max_length:
            return f"The {self.name} header must be at most {self.max_length} characters."
        if self.ascii_only and not (value.isascii() and value.isprintable()):
            return f"The {self.name} header must be printable ASCII."
        given = value.split(",", 1)[0].split(";", 1)[0].strip() if self.media_range else value
        if self.values and given.lower() not in {v.lower() for v in self.values}:
            return f"The {self.name} header must be one of: {', '.join(self.values)}."
        if self.integer is not None:
            low, high = self.integer
            if not (value.isascii() and value.isdigit() and low <= int(value) <= high):
                return f"The {self.name} header must be an integer between {low} and {high}."
        return None


def system_headers(max_length: int) -> tuple[Header, ...]:
    """Return the four optional `Vipps-System-*` headers with the length limit of one API's spec."""
    return tuple(Header(f"Vipps-System-{part}", f"The {what} (at most {max_length} characters).",
                        max_length=max_length, example=example)
                 for part, what, example in (("Name", "name of the calling system", "acme-pos"),
                                             ("Version", "version of the calling system", "2.1.0"),
                                             ("Plugin-Name", "name of the plugin, if any", "acme-vipps"),
                                             ("Plugin-Version", "version of the plugin, if any", "1.0.4")))


@dataclass(frozen=True)
class Answer:
    """A documented success: status, body model (None: no body) and an example body."""

    status: int
    description: str
    model: type[BaseModel] | None = None
    many: bool = False  # a JSON array of `model`
    media: str = "application/json"
    example: Any = None  # the model's own example when None


@dataclass(frozen=True)
class Query:
    """A documented query parameter; the handler reads and checks it."""

    name: str
    description: str
    schema: dict[str, Any]


@dataclass(frozen=True)
class Operation:
    """One row of an API's table: method, path, handler and everything the docs and the checks need."""

    method: str
    path: str
    endpoint: Endpoint
    id: str
    api: Api
    summary: str
    description: str
    answer: Answer
    access: Access = Access.OPEN
    headers: tuple[Header, ...] = ()
    body: type[BaseModel] | None = None
    body_required: bool = True
    refusals: tuple[int, ...] = ()  # statuses beyond those the rules above imply (409, 423, 429 ...)
    refusal_answers: tuple[Answer, ...] = ()  # refusals in a shape of the API's own, instead of a problem
    path_params: dict[str, dict[str, Any]] = field(default_factory=dict)  # schemas; a plain string otherwise
    query: tuple[Query, ...] = ()

    def refusal(self, status: int, detail: str, params: Iterable[tuple[str, str]] = ()) -> Exception:
        return self.api.shape.refusal(status, detail, params)


JSON_TYPES = ("application/json",)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in JSON_TYPES or (media.startswith("application/") and media.endswith("+json"))


Check = Callable[[Request], None]


def _access_check(op: Operation) -> Check | None:
    if op.access in (Access.OPEN, Access.OWN_TOKEN):
        return None
    msn_required = op.access is Access.MERCHANT

    def check(request: Request) -> None:
        unit = request.scope.get("user")
        if not isinstance(unit, SalesUnit):  # api/authentication.py saw no Authorization header
            raise ProblemError(401, "Missing or malformed Authorization header: 'Bearer <token>' is required")
        if msn_required and not unit.msn_given:
            raise op.refusal(400, "Merchant-Serial-Number header is required",
                             [("Merchant-Serial-Number", "The Merchant-Serial-Number header is required.")])

    return check


def _header_check(op: Operation) -> Check | None:
    rules = tuple((rule.name.lower(), rule) for rule in op.headers)
    if not rules:
        return None

    def check(request: Request) -> None:
        headers = request.headers
        problems = [(rule.name, problem) for key, rule in rules if (problem := rule.problem(headers.get(key)))]
        if problems:  # every bad header at once, one entry each
            detail = problems[0][1] if len(problems) == 1 else "Missing or invalid headers: " + ", ".join(
                name for name, _ in problems)
            raise op.refusal(400, detail, problems)

    return check


def _media_check(op: Operation) -> Check | None:
    if op.body is None:
        return None

    def check(request: Request) -> None:
        content_type = request.headers.get("content-type")
        if content_type is not None and not _is_json(content_type):
            reason = "The body must be JSON, sent as Content-Type: application/json."
            raise op.refusal(415, f"Unsupported Content-Type '{content_type[:100]}'", [("Content-Type", reason)])

    return check


class OperationRoute(Route):
    """A Starlette route that serves one `Operation` and keeps it, for the docs."""

    def __init__(self, op: Operation) -> None:
        checks = tuple(c for c in (_access_check(op), _header_check(op), _media_check(op)) if c is not None)
        handler = op.endpoint

        async def endpoint(request: Request) -> Response:
            for check in checks:
                check(request)
            return await handler(request)

        endpoint.__name__ = handler.__name__
        super().__init__(op.path, endpoint, methods=[op.method])
        self.operation = op


def routes(operations: Iterable[Operation]) -> list[BaseRoute]:
    """Return the Starlette routes serving `operations`."""
    return [OperationRoute(op) for op in operations]


def method_refusals(served: Iterable[BaseRoute]) -> list[BaseRoute]:
    """Return one route per served path that answers every other method (TRACE, QUERY ...) with a 405.

    Starlette's own 405 names only the first route that matched the path; this one lists every method
    served there (RFC 9110 §15.5.6). Put these after all served routes.
    """
    allowed: dict[str, set[str]] = {}
    shapes: dict[str, Shape] = {}
    for route in served:
        if isinstance(route, Route) and route.methods:
            allowed.setdefault(route.path, set()).update(route.methods)
            if isinstance(route, OperationRoute):
                shapes[route.path] = route.operation.api.shape
    return [Route(path, _Refuse(", ".join(sorted(methods)), shapes.get(path, Shape.PROBLEM)))
            for path, methods in allowed.items()]


class _Refuse:
    """A plain ASGI app, so its route matches every method (Starlette gives function endpoints GET only)."""

    __name__ = "method_not_allowed"

    def __init__(self, allow: str, shape: Shape) -> None:
        self.allow, self.shape = allow, shape

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"{scope['method']} is not allowed here; this path serves {self.allow}"
        raise self.shape.refusal(405, detail, headers={"Allow": self.allow})
