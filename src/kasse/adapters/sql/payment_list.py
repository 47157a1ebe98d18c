"""The console's payment list in SQL: keyset pages over indexes, so a page costs what it shows.

Newest first on (created_at, msn, reference). Each filter has an index that starts with it and goes on in
that order (migration 0008), and the page's key is compared as a row value over the columns the filter
leaves free, so both backends seek straight to the page instead of counting past an offset.
"""

from __future__ import annotations

from typing import Any

from kasse.adapters.sql import rows
from kasse.adapters.sql.connection import Connection
from kasse.services.read_models import PaymentFilter, PaymentKey, PaymentPage

_LIKE_ESCAPE = str.maketrans({"\\": "\\\\", "%": "\\%", "_": "\\_"})
_TOP = "\U0010ffff"  # sorts after every character: `text + _TOP` bounds the references starting with `text`


def _payment_of_psp(conn: Connection, psp_reference: str) -> tuple[str, str] | None:
    # every pspReference is an event's, and an event names its payment (index payment_events_by_psp)
    row = conn.execute("SELECT msn, reference FROM payment_events WHERE psp_reference = ? LIMIT 1",
                       (psp_reference,)).fetchone()
    return (row[0], row[1]) if row else None


def _conditions(conn: Connection, where: PaymentFilter) -> tuple[list[str], list[Any], bool]:
    """Return the WHERE terms, their parameters, and whether the sales unit is fixed by them."""
    terms: list[str] = []
    params: list[Any] = []
    msn = where.msn
    if where.text:
        found = _payment_of_psp(conn, where.text)
        if found is not None and msn in (None, found[0]):
            msn = found[0]
            terms.append("reference = ?")
            params.append(found[1])
        else:  # a reference, or the start of one (index payments_by_reference)
            terms.append("reference >= ? AND reference < ? AND reference LIKE ? ESCAPE '\\'")
            params += [where.text, where.text + _TOP, where.text.translate(_LIKE_ESCAPE) + "%"]
    if msn is not None:
        terms.append("msn = ?")
        params.append(msn)
    if where.state is not None:
        terms.append("state = ?")
        params.append(where.state)
    if where.since is not None:
        terms.append("created_at >= ?")
        params.append(rows.to_us(where.since))
    if where.until is not None:
        terms.append("created_at < ?")
        params.append(rows.to_us(where.until))
    return terms, params, msn is not None


def _fetch(conn: Connection, where: PaymentFilter, key: PaymentKey | None, newer: bool, limit: int) -> list[Any]:
    terms, params, unit_fixed = _conditions(conn, where)
    columns = ("created_at", "reference") if unit_fixed else ("created_at", "msn", "reference")
    if key is not None:
        values = {"created_at": rows.to_us(key.created_at), "msn": key.msn, "reference": key.reference}
        marks = ", ".join("?" for _ in columns)
        terms.append(f"({', '.join(columns)}) {'>' if newer else '<'} ({marks})")
        params += [values[c] for c in columns]
    direction = "ASC" if newer else "DESC"
    order = ", ".join(f"{c} {direction}" for c in ("created_at", "msn", "reference"))
    clause = f"WHERE {' AND '.join(terms)}" if terms else ""
    return conn.execute(f"SELECT {rows.PAYMENT_COLUMNS} FROM payments {clause} ORDER BY {order} LIMIT ?",
                        (*params, limit + 1)).fetchall()


def _key(row: Any) -> PaymentKey:
    return PaymentKey(rows.from_us(row[10]), row[0], row[1])


def payment_page(conn: Connection, where: PaymentFilter, *, older_than: PaymentKey | None = None,
                 newer_than: PaymentKey | None = None, limit: int = 50) -> PaymentPage:
    """Return up to `limit` payments matching `where`, newest first, older (or newer) than the key."""
    if newer_than is not None:
        found = _fetch(conn, where, newer_than, True, limit)
        more, shown = len(found) > limit, found[:limit][::-1]
        newer, older = (_key(shown[0]) if more and shown else None), (_key(shown[-1]) if shown else None)
    else:
        found = _fetch(conn, where, older_than, False, limit)
        more, shown = len(found) > limit, found[:limit]
        newer = _key(shown[0]) if older_than is not None and shown else None
        older = _key(shown[-1]) if more else None
    return PaymentPage([rows.payment_from_row(r) for r in shown], newer, older)


class SqlPaymentList:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def page(self, where: PaymentFilter, *, older_than: PaymentKey | None = None,
             newer_than: PaymentKey | None = None, limit: int = 50) -> PaymentPage:
        return payment_page(self.conn, where, older_than=older_than, newer_than=newer_than, limit=limit)
