"""JSON on the wire ↔ the SDK's frozen dataclasses, by one naming rule: `psp_reference` ↔ `pspReference`.

Encoding drops unset (None) fields. Decoding ignores fields it does not know (the APIs grow), but checks
the type of every field it does know, so a server that sends `"value": "100"` is caught, not believed.
"""

from __future__ import annotations

import dataclasses
import functools
import types
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")

_SEQUENCES = (list, tuple, Sequence)
_MAPPINGS = (dict, Mapping)


class WireFormatError(ValueError):
    """A JSON document that does not have the shape the API promises."""


def camel(name: str) -> str:
    """Return the wire name of a Python field: `address_line1` → `addressLine1`."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def rfc3339(moment: datetime) -> str:
    """Return a UTC timestamp such as `2024-05-01T12:00:00Z`; naive datetimes are refused."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def to_wire(obj: object) -> Any:
    """Return `obj` as JSON-ready data: dataclasses become camelCase objects without their None fields."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {
            camel(f.name): to_wire(value)
            for f in dataclasses.fields(obj)
            if (value := getattr(obj, f.name)) is not None
        }
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, datetime):
        return rfc3339(obj)
    if isinstance(obj, Mapping):
        return {str(key): to_wire(value) for key, value in obj.items()}
    if isinstance(obj, Sequence) and not isinstance(obj, str | bytes):
        return [to_wire(item) for item in obj]
    return obj


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, str, Any], ...]:
    hints = get_type_hints(cls)
    return tuple((f.name, camel(f.name), hints[f.name]) for f in dataclasses.fields(cls))


def from_wire(cls: type[T], data: object, where: str = "$") -> T:
    """Return the dataclass `cls` read from decoded JSON.

    Raises:
        WireFormatError: a known field has the wrong type, or a required one is missing.
    """
    if not isinstance(data, dict):
        raise WireFormatError(f"{where}: expected an object, got {type(data).__name__}")
    kwargs = {
        name: _decode(hint, data[wire], f"{where}.{wire}")
        for name, wire, hint in _fields(cls)  # type: ignore[arg-type]  # classes are hashable
        if wire in data
    }
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise WireFormatError(f"{where}: {exc}") from None


def _decode(hint: Any, value: object, where: str) -> Any:  # noqa: C901 - one branch per JSON kind
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        if value is None:
            return None
        (inner,) = (arg for arg in get_args(hint) if arg is not type(None))
        return _decode(inner, value, where)
    if origin in _SEQUENCES:
        if not isinstance(value, list):
            raise WireFormatError(f"{where}: expected an array, got {type(value).__name__}")
        item = get_args(hint)[0]
        return tuple(_decode(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in _MAPPINGS:
        if not isinstance(value, dict):
            raise WireFormatError(f"{where}: expected an object, got {type(value).__name__}")
        item = get_args(hint)[1]
        return {str(k): _decode(item, v, f"{where}.{k}") for k, v in value.items()}
    if dataclasses.is_dataclass(hint):
        return from_wire(hint, value, where)  # type: ignore[arg-type]
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(value)
        except ValueError:
            raise WireFormatError(f"{where}: {value!r} is not a known {hint.__name__}") from None
    if hint is date:
        try:
            return date.fromisoformat(value) if isinstance(value, str) else _primitive(hint, value, where)
        except ValueError:
            raise WireFormatError(f"{where}: {value!r} is not a YYYY-MM-DD date") from None
    if hint is datetime:
        if not isinstance(value, str):
            raise WireFormatError(f"{where}: expected a timestamp string, got {type(value).__name__}")
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise WireFormatError(f"{where}: {value!r} is not an RFC 3339 timestamp") from None
    return _primitive(hint, value, where)


def _primitive(hint: Any, value: object, where: str) -> object:
    if hint is Any or hint is object:
        return value
    # bool is an int in Python but not on the wire
    wrong_bool = isinstance(value, bool) and hint is not bool
    if wrong_bool or not isinstance(value, hint):
        raise WireFormatError(f"{where}: expected {hint.__name__}, got {type(value).__name__}")
    return value
