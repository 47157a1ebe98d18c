"""`client.reports`: the Report API (settlement): ledgers, a date's `funds` and `fees`, and the feed.

`funds`/`fees` follow every page of a closed date; `feed` iterates entries from a cursor to the end of the
feed and exposes the cursor to persist, so a reconciliation job resumes where it stopped, even after
a restart. Every call is a read, so every call is retried under the client's retry policy.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import date

import httpx

from kasse.sdk._call import Call, segment
from kasse.sdk._core import AsyncCore, SyncCore
from kasse.sdk._report_models import DateReport, FeedPage, Ledger, LedgerEntry, Topic
from kasse.sdk._wire import WireFormatError, from_wire

LEDGERS = "/settlement/v1/ledgers"
LedgerRef = Ledger | str
DateRef = date | str


def _id(ledger: LedgerRef) -> str:
    return ledger.ledger_id if isinstance(ledger, Ledger) else ledger


def _day(ledger_date: DateRef) -> date:
    return ledger_date if isinstance(ledger_date, date) else date.fromisoformat(ledger_date)


def _body(response: httpx.Response) -> dict[str, object]:
    data = response.json()
    if not isinstance(data, dict):
        raise WireFormatError("$: expected an object")
    return data


def _entries(data: dict[str, object]) -> tuple[LedgerEntry, ...]:
    items = data.get("items") or []
    if not isinstance(items, list):
        raise WireFormatError("$.items: expected an array")
    return tuple(from_wire(LedgerEntry, item, f"$.items[{i}]") for i, item in enumerate(items))


def _ledgers_call(handle: str | None, cursor: str | None) -> Call[tuple[tuple[Ledger, ...], str]]:
    def decode(response: httpx.Response) -> tuple[tuple[Ledger, ...], str]:
        data = _body(response)
        items = data.get("items") or []
        if not isinstance(items, list):
            raise WireFormatError("$.items: expected an array")
        return tuple(from_wire(Ledger, item, f"$.items[{i}]") for i, item in enumerate(items)), str(
            data.get("cursor") or "")

    params = {"cursor": cursor} if cursor else ({"settlesForRecipientHandles": handle} if handle else None)
    return Call("GET", LEDGERS, decode, params=params, replayable=True)


def _date_call(ledger_id: str, topic: str, day: date, cursor: str | None) -> Call[tuple[DateReport, str | None]]:
    path = f"/report/v2/ledgers/{segment(ledger_id)}/{segment(topic)}/dates/{day.isoformat()}"

    def decode(response: httpx.Response) -> tuple[DateReport, str | None]:
        data = _body(response)
        report = DateReport(ledger_id=ledger_id, topic=topic, ledger_date=day, entries=_entries(data),
                            try_later=bool(data.get("tryLater")))
        more = data.get("cursor") if data.get("hasMore") else None
        return report, str(more) if more else None

    return Call("GET", path, decode, params={"cursor": cursor} if cursor else None, replayable=True)


def _feed_call(ledger_id: str, topic: str, cursor: str | None) -> Call[FeedPage]:
    path = f"/report/v2/ledgers/{segment(ledger_id)}/{segment(topic)}/feed"

    def decode(response: httpx.Response) -> FeedPage:
        data = _body(response)
        return FeedPage(entries=_entries(data), cursor=str(data.get("cursor") or cursor or ""),
                        try_later=bool(data.get("tryLater")))

    return Call("GET", path, decode, params={"cursor": cursor} if cursor else None, replayable=True)


def _merge(report: DateReport, more: DateReport) -> DateReport:
    return DateReport(ledger_id=report.ledger_id, topic=report.topic, ledger_date=report.ledger_date,
                      entries=report.entries + more.entries, try_later=report.try_later or more.try_later)


class ReportFeed(Iterator[LedgerEntry]):
    """The feed's entries from a cursor to the end of the feed (`tryLater`), one by one.

    `cursor` is where to resume without missing anything: after a whole page, the next page; in the middle
    of a page, that page again (its entries come again; they are told apart by pspReference and entry type).
    Iterate again later (or make a new feed from the saved cursor) to get what has arrived since.
    """

    def __init__(self, fetch: Callable[[str | None], FeedPage], cursor: str | None) -> None:
        self._fetch = fetch
        self.cursor = cursor
        self._buffer: deque[LedgerEntry] = deque()
        self._next_cursor: str | None = cursor

    def __iter__(self) -> ReportFeed:
        return self

    def __next__(self) -> LedgerEntry:
        if not self._buffer:
            page = self._fetch(self.cursor)
            if not page.entries:
                self.cursor = page.cursor
                raise StopIteration
            self._buffer.extend(page.entries)
            self._next_cursor = page.cursor
        entry = self._buffer.popleft()
        if not self._buffer:
            self.cursor = self._next_cursor
        return entry


class AsyncReportFeed(AsyncIterator[LedgerEntry]):
    """The async counterpart of `ReportFeed`: `async for entry in feed`, then persist `feed.cursor`."""

    def __init__(self, fetch: Callable[[str | None], Awaitable[FeedPage]], cursor: str | None) -> None:
        self._fetch = fetch
        self.cursor = cursor
        self._buffer: deque[LedgerEntry] = deque()
        self._next_cursor: str | None = cursor

    def __aiter__(self) -> AsyncReportFeed:
        return self

    async def __anext__(self) -> LedgerEntry:
        if not self._buffer:
            page = await self._fetch(self.cursor)
            if not page.entries:
                self.cursor = page.cursor
                raise StopAsyncIteration
            self._buffer.extend(page.entries)
            self._next_cursor = page.cursor
        entry = self._buffer.popleft()
        if not self._buffer:
            self.cursor = self._next_cursor
        return entry


class Reports:
    """The Report API of a `Client`: `client.reports`."""

    def __init__(self, core: SyncCore) -> None:
        self._core = core

    def ledgers(self, *, recipient_handle: str | None = None) -> tuple[Ledger, ...]:
        """Return every ledger these keys may read, following the cursor (optionally of one `api:<msn>` handle).

        Example:
            >>> ledger = client.reports.ledgers()[0]
        """
        found, cursor = self._core.run(_ledgers_call(recipient_handle, None))
        while cursor:
            more, cursor = self._core.run(_ledgers_call(None, cursor))
            found += more
        return found

    def _date(self, ledger: LedgerRef, topic: str, ledger_date: DateRef) -> DateReport:
        ledger_id, day = _id(ledger), _day(ledger_date)
        report, cursor = self._core.run(_date_call(ledger_id, topic, day, None))
        while cursor:
            more, cursor = self._core.run(_date_call(ledger_id, topic, day, cursor))
            report = _merge(report, more)
        return report

    def funds(self, ledger: LedgerRef, ledger_date: DateRef) -> DateReport:
        """Return the `funds` report of a ledger date, all pages; `try_later` is True while the date is open.

        Example:
            >>> report = client.reports.funds(ledger, "2026-12-06")
            >>> payout = [e for e in report.entries if e.entry_type == EntryType.PAYOUT_SCHEDULED]
        """
        return self._date(ledger, Topic.FUNDS, ledger_date)

    def fees(self, ledger: LedgerRef, ledger_date: DateRef) -> DateReport:
        """Return the `fees` report of a ledger date, all pages; `try_later` is True while the date is open.

        Example:
            >>> fees = sum(e.amount for e in client.reports.fees(ledger, "2026-12-06").entries)
        """
        return self._date(ledger, Topic.FEES, ledger_date)

    def feed_page(self, ledger: LedgerRef, topic: str, cursor: str | None = None) -> FeedPage:
        """Return one page of the feed after `cursor` (from the ledger's first entry without one).

        Example:
            >>> page = client.reports.feed_page(ledger, "funds", cursor=saved)
        """
        return self._core.run(_feed_call(_id(ledger), str(topic), cursor))

    def feed(self, ledger: LedgerRef, topic: str, *, cursor: str | None = None) -> ReportFeed:
        """Iterate a topic's entries after `cursor` up to the end of the feed; persist `.cursor` to resume.

        Example:
            >>> feed = client.reports.feed(ledger, "funds", cursor=load_cursor())
            >>> for entry in feed:
            ...     book(entry)
            >>> save_cursor(feed.cursor)
        """
        ledger_id = _id(ledger)
        return ReportFeed(lambda at: self._core.run(_feed_call(ledger_id, str(topic), at)), cursor)


class AsyncReports:
    """The Report API of an `AsyncClient`; the same methods as `Reports`, awaited (`feed` is an async iterator)."""

    def __init__(self, core: AsyncCore) -> None:
        self._core = core

    async def ledgers(self, *, recipient_handle: str | None = None) -> tuple[Ledger, ...]:
        """Return every ledger these keys may read, following the cursor.

        Example:
            >>> ledgers = await client.reports.ledgers()
        """
        found, cursor = await self._core.run(_ledgers_call(recipient_handle, None))
        while cursor:
            more, cursor = await self._core.run(_ledgers_call(None, cursor))
            found += more
        return found

    async def _date(self, ledger: LedgerRef, topic: str, ledger_date: DateRef) -> DateReport:
        ledger_id, day = _id(ledger), _day(ledger_date)
        report, cursor = await self._core.run(_date_call(ledger_id, topic, day, None))
        while cursor:
            more, cursor = await self._core.run(_date_call(ledger_id, topic, day, cursor))
            report = _merge(report, more)
        return report

    async def funds(self, ledger: LedgerRef, ledger_date: DateRef) -> DateReport:
        """Return the `funds` report of a ledger date, all pages.

        Example:
            >>> report = await client.reports.funds(ledger, "2026-12-06")
        """
        return await self._date(ledger, Topic.FUNDS, ledger_date)

    async def fees(self, ledger: LedgerRef, ledger_date: DateRef) -> DateReport:
        """Return the `fees` report of a ledger date, all pages.

        Example:
            >>> report = await client.reports.fees(ledger, "2026-12-06")
        """
        return await self._date(ledger, Topic.FEES, ledger_date)

    async def feed_page(self, ledger: LedgerRef, topic: str, cursor: str | None = None) -> FeedPage:
        """Return one page of the feed after `cursor`.

        Example:
            >>> page = await client.reports.feed_page(ledger, "fees")
        """
        return await self._core.run(_feed_call(_id(ledger), str(topic), cursor))

    def feed(self, ledger: LedgerRef, topic: str, *, cursor: str | None = None) -> AsyncReportFeed:
        """Iterate a topic's entries after `cursor` up to the end of the feed; persist `.cursor` to resume.

        Example:
            >>> feed = client.reports.feed(ledger, "funds", cursor=saved)
            >>> async for entry in feed:
            ...     book(entry)
        """
        ledger_id = _id(ledger)
        return AsyncReportFeed(lambda at: self._core.run(_feed_call(ledger_id, str(topic), at)), cursor)
