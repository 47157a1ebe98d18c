"""Server time of the console's payment pages with N payments stored (issue 15: "stays fast with a million").

    .venv/bin/python bench/console_pages.py [--payments 1000000] [--db FILE] [--repeat 30]

Fills a SQLite store in bulk (`preload.py`: N AUTHORIZED payments of the demo sales unit, 1 ms apart), then
asks the whole app in process (no socket: what is timed is kasse's own work, routing, the read models' queries
and the page's rendering) for each page `--repeat` times, and prints the median and the 95th percentile.
Pages: the list's first page, filtered pages (sales unit, state, a day, a reference, a pspReference),
a deep page (older than the 900,000th newest) and one payment's page.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from preload import EPOCH_US, MSN, preload, reference
from starlette.testclient import TestClient

from kasse.console.payments import encode_key
from kasse.server import build_app
from kasse.services.read_models import PaymentKey
from kasse.settings import Settings

RUN = "con"


def pages(n: int) -> list[tuple[str, str]]:
    """The pages to time: (name, path), on a store of `n` preloaded payments."""
    middle, deep = n // 2, max(0, n - 900_000 - 1) if n > 900_000 else n // 10
    day = datetime.fromtimestamp(EPOCH_US / 1e6, UTC).date()
    deep_key = PaymentKey(datetime.fromtimestamp((EPOCH_US + deep * 1_000) / 1e6, UTC), MSN, reference(RUN, deep))
    return [
        ("list: first page", "/console/payments"),
        ("list: sales unit", f"/console/payments?msn={MSN}"),
        ("list: state", "/console/payments?state=AUTHORIZED"),
        ("list: a day", f"/console/payments?from={day}&to={day}"),
        ("list: a reference", f"/console/payments?q={reference(RUN, middle)}"),
        ("list: a pspReference", f"/console/payments?q=psp-{RUN}-{middle}-c"),
        ("list: empty state", "/console/payments?state=EXPIRED"),
        ("list: unit, empty state", f"/console/payments?msn={MSN}&state=EXPIRED"),
        ("list: deep page", f"/console/payments?older={encode_key(deep_key)}"),
        ("list: deep page, unit", f"/console/payments?msn={MSN}&older={encode_key(deep_key)}"),
        ("one payment", f"/console/payments/{MSN}/{reference(RUN, middle)}"),
    ]


def time_pages(client: TestClient, n: int, repeat: int) -> None:
    print(f"{'page':<24} {'rows':>5} {'median ms':>10} {'p95 ms':>8}   (rows: of the list; 0 on one payment's page)")
    for name, path in pages(n):
        took = []
        for _ in range(repeat):
            started = time.perf_counter()
            answer = client.get(path)
            took.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
        rows = answer.text.count("<tr data-reference=")
        p95 = statistics.quantiles(took, n=20)[-1] if len(took) >= 2 else took[0]
        print(f"{name:<24} {rows:>5} {statistics.median(took):>10.2f} {p95:>8.2f}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--payments", type=int, default=1_000_000, help="payments to store (default 1,000,000)")
    p.add_argument("--db", help="SQLite file to fill (default: a new temporary one)")
    p.add_argument("--repeat", type=int, default=30, help="requests per page (default 30)")
    args = p.parse_args(argv)
    if args.payments < 1 or args.repeat < 1:
        p.error("--payments and --repeat must be positive")
    db = args.db or str(Path(tempfile.mkdtemp(prefix="kasse-console-")) / "kasse.db")
    took = preload(args.payments, RUN, db=db)
    print(f"stored {args.payments:,} payments in {took:.1f} s ({db})")
    app, container = build_app(Settings(database=db, run_worker=False, request_log=False))
    try:
        client = TestClient(app, base_url="http://127.0.0.1:8000")  # no lifespan: no background loops
        client.get("/console/payments")  # warm: templates compiled, caches filled
        time_pages(client, args.payments, args.repeat)
    finally:
        container.db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
