"""Settlement at volume: booking 100,000 captures, closing their ledger date, and reading it through the API.

    .venv/bin/python bench/settlement.py [--entries 100000] [--keep DIR]

1. fills a fresh SQLite store in bulk (the recording use case, in transactions of 5,000 captures: each
   writes its payment event, its `funds` entry and its `capture-fee`), not through the HTTP API;
2. moves the shared clock a day and closes the date (what `kasse clock advance 1d` does);
3. starts `kasse serve` on that store and reads the closed date's `funds` and `fees` reports (pages of
   1,000 following `cursor`) and the whole `funds` feed over HTTP, timed.
Prints each figure; see bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

from server_process import get_token, start_server, stop_server

from kasse.bootstrap import build
from kasse.domain.events import PaymentEvent
from kasse.domain.money import Currency, Money
from kasse.domain.payment_state import EventName
from kasse.services import shared_clock
from kasse.services.ledger_closing import close_due_ledgers
from kasse.services.recording import record
from kasse.settings import DEMO, Settings

CHUNK = 5_000


def fill_and_close(db: Path, entries: int) -> tuple[float, float, str]:
    container = build(Settings(database=str(db), synchronous="FULL"))
    msn = DEMO.msn or "123456"
    at = container.clock.now()

    def chunk(start: int, count: int) -> Any:
        def job(uow: Any) -> None:
            for i in range(start, start + count):
                record(uow, PaymentEvent(msn, f"bench-{i:07d}", f"bench-psp-{i:07d}", EventName.CAPTURED,
                                         Money(1000 + i % 9000, Currency.NOK), at, None))
        return job

    began = time.perf_counter()
    for start in range(0, entries, CHUNK):
        container.db.write_sync(chunk(start, min(CHUNK, entries - start)))
    booked = time.perf_counter() - began
    container.db.write_sync(lambda uow: shared_clock.move(uow, container.clock,
                                                          lambda clock: clock.advance(timedelta(days=1))))
    began = time.perf_counter()
    closed = asyncio.run(close_due_ledgers(container.db.read, container.db.write, container.clock, None))
    closing = time.perf_counter() - began
    container.db.close()
    return booked, closing, closed[0].ledger_date.isoformat()


def get(base: str, path: str, token: str) -> tuple[dict[str, Any], int]:
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}",
                                                       "Ocp-Apim-Subscription-Key": DEMO.subscription_key or ""})
    with urllib.request.urlopen(req, timeout=60) as r:
        raw = r.read()
    body: dict[str, Any] = json.loads(raw)
    return body, len(raw)


def read_all(base: str, first: str, token: str, *, feed: bool) -> tuple[int, int, int, float]:
    """Follow a report's cursors; return items, pages, bytes and seconds."""
    items = pages = size = 0
    path, began = first, time.perf_counter()
    while True:
        body, n = get(base, path, token)
        pages, size = pages + 1, size + n
        items += len(body["items"])
        done = body["tryLater"] if feed else not body.get("hasMore")
        if done:
            return items, pages, size, time.perf_counter() - began
        path = f"{first.split('?')[0]}?cursor={body['cursor']}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--entries", type=int, default=100_000, help="captures to book on one ledger date")
    p.add_argument("--keep", type=Path, default=None, help="work in this directory and keep it")
    args = p.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="kasse-bench-settlement-"))
    work.mkdir(parents=True, exist_ok=True)
    booked, closing, day = fill_and_close(work / "kasse.db", args.entries)
    print(f"booked {args.entries:,} captures ({2 * args.entries:,} entries) in {booked:.2f} s "
          f"({args.entries / booked:,.0f} captures/s, SQLite synchronous=FULL, {CHUNK:,} per transaction)")
    print(f"closed ledger date {day} ({args.entries:,} captures on it) in {closing * 1000:.1f} ms")
    server = start_server(work, writer_stats=False)
    try:
        token = get_token(server.base)
        ledger = get(server.base, "/settlement/v1/ledgers", token)[0]["items"][0]["ledgerId"]
        for topic in ("funds", "fees"):
            items, pages, size, took = read_all(server.base, f"/report/v2/ledgers/{ledger}/{topic}/dates/{day}",
                                                token, feed=False)
            print(f"read {topic} of {day}: {items:,} entries in {pages} pages, {size / 1e6:.1f} MB, {took:.2f} s "
                  f"({items / took:,.0f} entries/s, {took / pages * 1000:.0f} ms a page)")
        items, pages, size, took = read_all(server.base, f"/report/v2/ledgers/{ledger}/funds/feed", token, feed=True)
        print(f"read the funds feed: {items:,} entries in {pages} calls, {took:.2f} s ({items / took:,.0f} entries/s)")
    finally:
        stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
