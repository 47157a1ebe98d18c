"""The request log over SQL: appended in batches by the recorder, listed by id, pruned by count and age.

Every query walks one index (`request_log_by_msn`, `..._by_reference`, the primary key, `..._by_at`) from
its cursor and stops after `limit` rows, so a page costs what it returns however long the log is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson

from kasse.adapters.sql import rows, statements, tables
from kasse.adapters.sql.connection import Connection, is_pipelined, is_postgres, send
from kasse.services.read_models import RequestRecord

COLUMNS = statements.columns(tables.request_log)
_INSERTED = statements.columns(tables.request_log, ("id",))
_ROW_MARKS = "(" + ",".join("?" * len(_INSERTED.split(", "))) + ")"
CHUNK = 200  # rows per INSERT: 2,400 parameters, under every driver's limit
# PostgreSQL: appends take turns (a transaction-scoped advisory lock), so ids become visible in the order they
# are handed out and a follower by id (`after=`) never passes a batch that another process commits late
APPEND_LOCK = 0x6B617373_6C6F67  # "kasslog"


def _status_clause(status: str) -> tuple[str, tuple[int, ...]]:
    if len(status) == 3 and status.endswith("xx") and status[0].isdigit():
        low = int(status[0]) * 100
        return "status >= ? AND status < ?", (low, low + 100)
    return "status = ?", (int(status),)


def record_from_row(row: Any) -> RequestRecord:
    return RequestRecord(
        id=int(row[0]),
        at=rows.from_us(row[1]),
        method=row[2],
        path=row[3],
        query=row[4],
        status=int(row[5]),
        duration_ms=float(row[6]),
        msn=row[7],
        reference=row[8],
        idempotency_key=row[9],
        request_headers=orjson.loads(row[10]),
        request_body=row[11],
        response_body=row[12],
    )


def _text(value: str | None) -> str | None:
    """A caller's text as PostgreSQL can store it: a NUL (`%00` in a path, a raw body) becomes U+FFFD.

    Refused, it would lose the whole batch of other callers' requests with it.
    """
    return value.replace("\x00", "\ufffd") if value and "\x00" in value else value


def _row_of(r: RequestRecord) -> tuple[Any, ...]:
    return (rows.to_us(r.at), _text(r.method), _text(r.path), _text(r.query), r.status, r.duration_ms, _text(r.msn),
            _text(r.reference), _text(r.idempotency_key), orjson.dumps(r.request_headers).decode(),
            _text(r.request_body), _text(r.response_body))


class SqlRequestLog:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def search(self, *, msn: str | None = None, reference: str | None = None, status: str | None = None,
               after: int = 0, before: int | None = None, limit: int = 100) -> list[RequestRecord]:
        where: list[str] = []
        params: list[object] = []
        for column, value in (("msn", msn), ("reference", reference)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if status is not None:
            clause, bounds = _status_clause(status)
            where.append(clause)
            params.extend(bounds)
        newest_first = after <= 0
        if not newest_first:
            where.append("id > ?")
            params.append(after)
        elif before is not None:
            where.append("id < ?")
            params.append(before)
        sql = f"SELECT {COLUMNS} FROM request_log"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY id {'DESC' if newest_first else ''} LIMIT ?"
        found = [record_from_row(r) for r in self.conn.execute(sql, (*params, limit)).fetchall()]
        return found[::-1] if newest_first else found

    def append(self, records: Sequence[RequestRecord]) -> None:
        if not records:
            return
        if is_postgres(self.conn):
            send(self.conn, "SELECT pg_advisory_xact_lock(?)", (APPEND_LOCK,))
            copy_in = getattr(self.conn, "copy_in", None)
            if copy_in is not None and not is_pipelined(self.conn):  # a transaction apart (write_apart): COPY
                copy_in("request_log", _INSERTED, map(_row_of, records))
                return
        for start in range(0, len(records), CHUNK):
            chunk = records[start:start + CHUNK]
            params = [value for r in chunk for value in _row_of(r)]
            marks = ",".join([_ROW_MARKS] * len(chunk))
            send(self.conn, f"INSERT INTO request_log ({_INSERTED}) VALUES {marks}", params)

    def prune(self, *, keep: int, recorded_before: datetime) -> None:
        send(self.conn, "DELETE FROM request_log WHERE at < ?", (rows.to_us(recorded_before),))  # request_log_by_at
        # the newest `keep` by id: an index range from the oldest row, as long as what it deletes
        send(self.conn, "DELETE FROM request_log WHERE id <= (SELECT MAX(id) FROM request_log) - ?", (keep,))
