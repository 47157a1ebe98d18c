"""One API call described as data: method, path, body, idempotency and how to read the answer.

Resources build `Call`s; the sync and async cores send them. Keeping the description apart from the
sending is what lets `Client` and `AsyncClient` share every request without sharing any I/O.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx

from kasse.sdk._wire import WireFormatError, from_wire, to_wire

T = TypeVar("T")
M = TypeVar("M")

Decode = Callable[[httpx.Response], T]


@dataclass(frozen=True)
class Call(Generic[T]):
    """A request to send and the function that turns its successful response into a result."""

    method: str
    path: str
    decode: Decode[T]
    body: Any = None  # JSON-ready data; None sends no body
    form: Mapping[str, str] | None = None  # sent as application/x-www-form-urlencoded instead of a JSON body
    params: Mapping[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    idempotency_key: str | None = None
    # True when sending it twice cannot do the work twice (reads, PUT, DELETE, writes deduplicated by key)
    replayable: bool = False
    authenticated: bool = True


def new_idempotency_key() -> str:
    """Return a fresh Idempotency-Key (a UUID: 36 characters, within the 50 allowed)."""
    return str(uuid.uuid4())


def segment(value: str) -> str:
    """Return `value` escaped as one path segment (redirect QR ids may hold spaces, `%`, `+` or æøå)."""
    return quote(value, safe="")


def body(model: object) -> Any:
    """Return a request model as JSON-ready data."""
    return to_wire(model)


def model(cls: type[M]) -> Decode[M]:
    """Return a decoder reading one JSON object into `cls`."""

    def decode(response: httpx.Response) -> M:
        return from_wire(cls, response.json())

    return decode


def models(cls: type[M]) -> Decode[tuple[M, ...]]:
    """Return a decoder reading a JSON array of objects into a tuple of `cls`."""

    def decode(response: httpx.Response) -> tuple[M, ...]:
        data = response.json()
        if not isinstance(data, list):
            raise WireFormatError(f"$: expected an array, got {type(data).__name__}")
        return tuple(from_wire(cls, item, f"$[{i}]") for i, item in enumerate(data))

    return decode


def nothing(response: httpx.Response) -> None:
    """Ignore the body of a response that has none worth reading."""


def optional_string(response: httpx.Response) -> str | None:
    """Return a JSON string body (e.g. a receipt id), or None when the body is empty or not a string."""
    if not response.content:
        return None
    try:
        data = response.json()
    except ValueError:
        return response.text or None
    return data if isinstance(data, str) else None
