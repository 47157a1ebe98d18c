"""Reading the Report API: the ledgers a caller may see, a closed date's report in pages, and the feed.

A caller is a sales unit (merchant keys) or an accounting partner; a ledger it may not see is answered
exactly as one that does not exist. Cursors are opaque to clients: base64 of a small JSON object that
names the ledger, topic (and date) and the last position served, so they survive restarts and a cursor
of another ledger, topic or date is refused (contract §4 no. 6).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from kasse.domain.ledger import Ledger, LedgerEntry, Topic
from kasse.domain.ledger_date import close_of
from kasse.services.ports import UnitOfWork

PAGE = 1000  # contract §1.2: "up to 1000 items" a page
LEDGER_PAGE = 100


class ReportInputError(ValueError):
    """A malformed date, topic or cursor; `field` names the parameter (answered 400, errorCode 10002)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class LedgerNotFoundError(LookupError):
    """No ledger with that id that this caller may see."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who reads: a sales unit (`msn`) or an accounting partner (`partner_id`)."""

    msn: str | None = None
    partner_id: str | None = None


@dataclass(frozen=True, slots=True)
class ReportPage:
    """One answer of the dates or feed endpoint (contract §1.4)."""

    items: list[LedgerEntry]
    cursor: str | None
    try_later: bool
    has_more: bool = False


def encode_cursor(data: dict[str, Any]) -> str:
    """Return the opaque cursor of a position."""
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def decode_cursor(text: str, expected: dict[str, Any]) -> int:
    """Return the position in a cursor made for `expected` (ledger, topic, date).

    Raises:
        ReportInputError: garbled, or made for another ledger, topic or date.
    """
    try:
        data = json.loads(base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4)))
    except (ValueError, UnicodeError, binascii.Error):
        raise ReportInputError("cursor", "the cursor is not one this API gave out") from None
    if not isinstance(data, dict) or {k: data.get(k) for k in expected} != expected:
        raise ReportInputError("cursor", "the cursor belongs to another ledger, topic or date")
    position = data.get("p")
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise ReportInputError("cursor", "the cursor is not one this API gave out")
    return position


def parse_topic(text: str) -> Topic:
    """Return the topic named in the path; raises ReportInputError for anything but funds and fees."""
    try:
        return Topic(text)
    except ValueError:
        raise ReportInputError("topic", "topic must be funds or fees") from None


def parse_date(text: str) -> date:
    """Return the ledger date of the path; raises ReportInputError unless it is a real YYYY-MM-DD date."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ReportInputError("ledgerDate", "ledgerDate must be a date in YYYY-MM-DD format") from None


def visible_ids(uow: UnitOfWork, viewer: Viewer) -> list[str] | None:
    """Return the ledger ids a partner may read (None: a sales unit, restricted by its MSN instead)."""
    return None if viewer.partner_id is None else list(uow.partners.granted(viewer.partner_id))


def visible_ledger(uow: UnitOfWork, viewer: Viewer, ledger_id: str) -> Ledger:
    """Return the ledger if the viewer may read it.

    Raises:
        LedgerNotFoundError: unknown, or not the viewer's (the same answer, contract §4 no. 4).
    """
    ledger = uow.ledgers.get(ledger_id)
    if ledger is None:
        raise LedgerNotFoundError(ledger_id)
    if viewer.partner_id is None:
        allowed = ledger.msn == viewer.msn
    else:
        allowed = ledger_id in uow.partners.granted(viewer.partner_id)
    if not allowed:
        raise LedgerNotFoundError(ledger_id)
    return ledger


def list_ledgers(uow: UnitOfWork, viewer: Viewer, handle: str | None,
                 cursor: str | None) -> tuple[list[Ledger], str]:
    """Return a page of the viewer's ledgers (filtered by a `settlesForRecipientHandles` handle) and the cursor."""
    if cursor:
        after, handle = _ledger_cursor(cursor)
    else:
        after = ""
    msn = viewer.msn
    if handle is not None:
        if not handle.startswith("api:") or (msn is not None and handle != f"api:{msn}"):
            return [], ""
        msn = handle.removeprefix("api:")
    found = list(uow.ledgers.list(after=after, limit=LEDGER_PAGE + 1, ledger_ids=visible_ids(uow, viewer), msn=msn))
    if len(found) <= LEDGER_PAGE:
        return found, ""
    page = found[:LEDGER_PAGE]
    return page, encode_cursor({"afterLedgerId": page[-1].ledger_id, "settlesForRecipientHandles": handle})


def _ledger_cursor(cursor: str) -> tuple[str, str | None]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii") + b"=" * (-len(cursor) % 4)))
        after, handle = data["afterLedgerId"], data.get("settlesForRecipientHandles")
    except (ValueError, UnicodeError, binascii.Error, KeyError, TypeError):
        raise ReportInputError("cursor", "the cursor is not one this API gave out") from None
    if not isinstance(after, str) or not (handle is None or isinstance(handle, str)):
        raise ReportInputError("cursor", "the cursor is not one this API gave out")
    return after, handle


def date_report(uow: UnitOfWork, ledger: Ledger, topic: Topic, day: date, cursor: str | None, *, now: datetime,
                lag: timedelta = timedelta(0), held_open: bool = False) -> ReportPage:
    """Return a page of a closed date's report, or `tryLater` while the date is open (or shown late)."""
    where = {"l": ledger.ledger_id, "t": topic.value, "d": day.isoformat()}
    after = decode_cursor(cursor, where) if cursor else 0
    if held_open or day > ledger.last_closed or close_of(day, ledger.market) + lag > now:
        return ReportPage([], None, try_later=True)
    found = list(uow.ledgers.entries(ledger.ledger_id, topic, after=after, limit=PAGE + 1, ledger_date=day))
    if len(found) <= PAGE:
        return ReportPage(found, None, try_later=False)
    page = found[:PAGE]
    return ReportPage(page, encode_cursor({**where, "p": page[-1].position}), try_later=False, has_more=True)


def feed(uow: UnitOfWork, ledger: Ledger, topic: Topic, cursor: str | None, *, now: datetime,
         lag: timedelta = timedelta(0)) -> ReportPage:
    """Return the entries after the cursor (from the start without one); `tryLater` with the same cursor at the end."""
    where = {"l": ledger.ledger_id, "t": topic.value}
    after = decode_cursor(cursor, where) if cursor else 0
    if after > ledger.state(topic).position:  # a position this ledger never reached: not a cursor it gave out
        raise ReportInputError("cursor", "the cursor is not one this API gave out")
    found = uow.ledgers.entries(ledger.ledger_id, topic, after=after, limit=PAGE)
    shown: list[LedgerEntry] = []
    for entry in found:  # with a report lag, entries show up `lag` after their time, in order
        if entry.time + lag > now:
            break
        shown.append(entry)
    if not shown:
        return ReportPage([], cursor or encode_cursor({**where, "p": after}), try_later=True)
    return ReportPage(shown, encode_cursor({**where, "p": shown[-1].position}), try_later=False)
