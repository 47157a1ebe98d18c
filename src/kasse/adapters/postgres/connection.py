"""The thin layer that lets the shared `?`-placeholder repositories run on psycopg 3.

`?` becomes `%s` (and a literal `%` becomes `%%`) in one place, cached per statement text, so
`kasse.adapters.sql` stays one code path for both backends. The wrapper also tells repositories
which dialect they run on (`dialect`), for the few clauses only PostgreSQL has (`FOR UPDATE SKIP LOCKED`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg


@functools.lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """Rewrite DB-API qmark placeholders as psycopg's format placeholders (no `?` appears in kasse's literals)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PgConnection:
    """A DB-API-like `execute(sql, params)` over one psycopg connection, as the repositories expect.

    `pipelined`: the connection is in psycopg's pipeline mode, so a statement goes out without waiting and
    its result arrives with the next one that is read (repositories then send what they can ahead).
    """

    dialect = "postgresql"
    __slots__ = ("pipelined", "raw")

    def __init__(self, raw: psycopg.Connection[Any], *, pipelined: bool = False) -> None:
        self.raw = raw
        self.pipelined = pipelined

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        if not params:
            return self.raw.execute(sql)  # without params psycopg leaves the text (and any %) alone
        return self.raw.execute(translate(sql), params)


def libpq_url(url: str) -> str:
    """Return `url` as libpq takes it (`postgresql://`), whatever SQLAlchemy driver suffix it carried."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme == "postgres":
        scheme = "postgresql"
    return urlunsplit((scheme, *parts[1:]))


def sqlalchemy_url(url: str) -> str:
    """Return `url` for SQLAlchemy with the psycopg 3 driver (`postgresql+psycopg://`)."""
    parts = urlsplit(libpq_url(url))
    return urlunsplit(("postgresql+psycopg", *parts[1:]))


def with_schema(url: str, schema: str) -> str:
    """Return `url` with `search_path` set to `schema` (libpq `options`), e.g. a test's private schema."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    query.append(("options", f"-csearch_path={schema}"))
    return urlunsplit((*parts[:3], urlencode(query), parts.fragment))


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and urlsplit(url or "").scheme.split("+", 1)[0] in ("postgresql", "postgres")
