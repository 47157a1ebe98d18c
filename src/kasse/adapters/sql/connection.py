"""What the SQL repositories need of a connection, on either backend: `execute(sql, params)` with `?` marks.

Its own module so every repository module can name it without importing the others (issue #14, item 5).
A connection may say which `dialect` it speaks (PostgreSQL's wrapper does) for the few clauses only
PostgreSQL has; a plain `sqlite3.Connection` says nothing and is SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Cursor: ...


class ConcurrentUpdateError(RuntimeError):
    """A payment changed under us: its stored version is not the one we read."""


def is_postgres(conn: Connection) -> bool:
    return getattr(conn, "dialect", "sqlite") == "postgresql"


class Sent(Protocol):
    """A statement sent (or waiting to be); how many rows it changed, once known (-1 until then)."""

    @property
    def rowcount(self) -> int: ...


def send(conn: Connection, sql: str, params: Sequence[Any]) -> Sent:
    """Run a statement whose result is not read now; a pipelined connection sends it with its next read."""
    write = getattr(conn, "write", None)
    return write(sql, params) if write is not None else conn.execute(sql, params)


def is_pipelined(conn: Connection) -> bool:
    """Tell whether statements go out without waiting: a result is only fetched (a round trip) when read."""
    return bool(getattr(conn, "pipelined", False))
