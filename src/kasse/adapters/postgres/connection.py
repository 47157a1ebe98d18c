"""The thin layer that lets the shared `?`-placeholder repositories run on psycopg 3.

`?` becomes `%s` (and a literal `%` becomes `%%`) in one place, cached per statement text, so
`kasse.adapters.sql` stays one code path for both backends. The wrapper also tells repositories
which dialect they run on (`dialect`), for the few clauses only PostgreSQL has (`FOR UPDATE SKIP LOCKED`).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg

from kasse.domain.errors import UnstorableTextError


@functools.lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """Rewrite DB-API qmark placeholders as psycopg's format placeholders (no `?` appears in kasse's literals)."""
    return sql.replace("%", "%%").replace("?", "%s")


def _storable(params: Sequence[Any]) -> None:
    """Refuse a NUL in a text parameter here, in Python, inside its own job.

    psycopg refuses one only as it sends the statement, with an error the writer must take for a lost
    connection, failing every job of the batch: one stranger's `%00` would fail other people's payments.
    """
    for value in params:
        if type(value) is str and "\x00" in value:
            raise UnstorableTextError


class PgConnection:
    """A DB-API-like `execute(sql, params)` over one psycopg connection, as the repositories expect.

    `pipelined`: the connection is in psycopg's pipeline mode and runs a batch of jobs. Statements whose
    result nobody reads (`write`: inserts of a create) then wait in memory until the job ends or reads
    something, and go out together with the next statement that is read: a create's writes cost no round
    trip of their own. Any other statement that changes data is answered before `execute` returns, as
    without a pipeline (callers read `rowcount`). Whatever of a job may change data before it ends (such
    a write, waiting writes sent ahead of a read) is covered by a savepoint, opened only then (`end_job`,
    `drop_job`), so a job that fails afterwards can still be undone alone; a job that only reads and then
    writes, like a create, needs none. Several waiting writes go out as ONE statement (`fold`): psycopg's
    work and the server's parse, bind and execute are paid per statement, and a create has four.
    """

    dialect = "postgresql"
    __slots__ = ("_pipe", "_savepoint", "_writes", "pipelined", "raw")

    def __init__(self, raw: psycopg.Connection[Any], pipe: psycopg.Pipeline | None = None) -> None:
        self.raw = raw
        self._pipe = pipe
        self.pipelined = pipe is not None
        self._writes: list[DeferredWrite] = []
        self._savepoint = False

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        _storable(params)
        if self.pipelined and not self._savepoint and (self._writes or not sql.startswith("SELECT")):
            self.raw.execute("SAVEPOINT job")  # this may change data before the job ends
            self._savepoint = True
        if self._writes:
            self._send_writes()
        cursor = self._run(sql, params)
        if self._pipe is not None and not sql.startswith("SELECT"):
            self._pipe.sync()  # its result now, as without a pipeline: callers may read `rowcount`
        return cursor

    def write(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any] | DeferredWrite:
        """Run a statement whose result is not read now (pipelined: later, with the next one that is)."""
        _storable(params)
        if not self.pipelined:
            return self._run(sql, params)
        deferred = DeferredWrite(sql, params)
        self._writes.append(deferred)
        return deferred

    def copy_in(self, table: str, columns: str, rows: Iterable[Sequence[Any]]) -> None:
        """Append `rows` to `table` with one COPY: no statement to parse, no parameter to bind per row.

        Only outside pipeline mode, which cannot carry a COPY (the request log writes apart for that). A row
        the server refuses fails this transaction alone, so rows are not checked for NUL here (`_storable`).
        """
        assert not self.pipelined, "COPY cannot run in pipeline mode"
        with self.raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def end_job(self) -> None:
        """The job succeeded: send its waiting writes (and release its savepoint, if it needed one)."""
        self._send_writes()
        if self._savepoint:
            self.raw.execute("RELEASE SAVEPOINT job")
            self._savepoint = False

    def drop_job(self) -> bool:
        """The job failed: forget its waiting writes; return whether it must be rolled back to its savepoint."""
        self._writes.clear()
        opened, self._savepoint = self._savepoint, False
        return opened

    def _send_writes(self) -> None:
        writes = self._writes
        if len(writes) == 1 or not all(deferred.sql.startswith("INSERT INTO ") for deferred in writes):
            for deferred in writes:  # a statement of another kind goes out alone (see `fold`)
                deferred.cursor = self._run(deferred.sql, deferred.params)
        elif writes:
            sql = fold(tuple(deferred.sql for deferred in writes))
            counts = FoldedCounts(self._run(sql, list(itertools.chain.from_iterable(d.params for d in writes))))
            for i, deferred in enumerate(writes):
                deferred.folded = (counts, i)
        writes.clear()

    def _run(self, sql: str, params: Sequence[Any]) -> psycopg.Cursor[Any]:
        if not params:
            return self.raw.execute(sql)  # without params psycopg leaves the text (and any %) alone
        return self.raw.execute(translate(sql), params)


class DeferredWrite:
    """A write waiting to go out with the job's next read; `rowcount` is known once its result is in."""

    __slots__ = ("cursor", "folded", "params", "sql")

    def __init__(self, sql: str, params: Sequence[Any]) -> None:
        self.sql = sql
        self.params = params
        self.cursor: psycopg.Cursor[Any] | None = None
        self.folded: tuple[FoldedCounts, int] | None = None  # sent inside one statement with others

    @property
    def rowcount(self) -> int:
        if self.folded is not None:
            counts, i = self.folded
            return counts.row()[i]
        return -1 if self.cursor is None else self.cursor.rowcount


class FoldedCounts:
    """The one row a folded statement answers: how many rows each of its writes changed."""

    __slots__ = ("_cursor", "_row")

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor
        self._row: tuple[int, ...] | None = None

    def row(self) -> tuple[int, ...]:
        if self._row is None:
            self._row = tuple(self._cursor.fetchone() or ())
        return self._row


_CURRVAL = re.compile(r"currval\('(\w+)_id_seq'\)")


@functools.lru_cache(maxsize=256)
def fold(writes: tuple[str, ...]) -> str:
    """Return one statement that runs `writes` (INSERTs, in order) and answers the rows each one wrote.

    Each write becomes a data-modifying CTE and the statement selects their counts, so the server parses,
    binds and executes one statement, and psycopg dumps and tracks one. The CTEs of one statement see the
    same snapshot and none sees another's rows, so only writes that do not read each other can be folded:
    the ones a job leaves waiting are inserts of new rows (`PgConnection.write`). The one dependency they
    have, a later write taking the id an earlier insert drew (`currval('<table>_id_seq')`, the outbox
    naming its event), is made explicit: it takes that id from the earlier CTE's `RETURNING id`.
    """
    texts: list[str] = []
    drew: dict[str, int] = {}  # table -> the CTE that inserted into it last
    read: set[int] = set()  # CTEs whose id a later one takes

    def earlier(match: re.Match[str]) -> str:
        if match[1] not in drew:
            return match[0]  # drawn by a statement sent before this one: the session's currval is right
        read.add(drew[match[1]])
        return f"(SELECT id FROM w{drew[match[1]]})"

    for i, sql in enumerate(writes):
        if not sql.startswith("INSERT INTO "):
            raise ValueError(f"only inserts can be folded: {sql[:60]}")
        texts.append(_CURRVAL.sub(earlier, sql))
        drew[sql.split(None, 3)[2]] = i
    body = ", ".join(f"w{i} AS ({sql} RETURNING {'id' if i in read else '1'})" for i, sql in enumerate(texts))
    counts = ", ".join(f"(SELECT count(*) FROM w{i})" for i in range(len(texts)))
    return f"WITH {body} SELECT {counts}"


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
